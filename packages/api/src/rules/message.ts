/**
 * What a message may be: who said it, and how long it may be. The input schema enforces these;
 * the web app's composer offers the same roles and stops at the same length.
 */
export const MESSAGE_ROLES = ['user', 'assistant', 'system'] as const;

export type MessageRole = (typeof MESSAGE_ROLES)[number];

/** The longest message content accepted, in UTF-16 code units (JavaScript string length). */
export const MESSAGE_CONTENT_MAX_LENGTH = 32_000;
