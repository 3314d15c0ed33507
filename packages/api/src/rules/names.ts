/**
 * Organization and user names: the key CLI's --org and --user, a session token's `sub` and `org`,
 * and Dify's `user` field all name identities by this one rule.
 */
export const NAME_PATTERN = /^[^\p{Cc}\p{Zl}\p{Zp}]{1,255}$/u;
