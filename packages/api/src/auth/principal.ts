/**
 * The caller every service acts for, as the authenticator resolved it. A module of its own, with
 * no imports, so that services take a Principal without depending on how one is authenticated.
 */
export interface Principal {
  orgId: string;
  userId: string;
  /** The user's name inside the organization. */
  userName: string;
  via: 'api_key' | 'session';
}
