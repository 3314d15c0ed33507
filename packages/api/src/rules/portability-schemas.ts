/** Inputs of the export and import procedures (the HTTP routes for scripts take the same). */
import { z } from 'zod';
import { conversationIdSchema } from './schemas.ts';

export const EXPORT_FORMATS = ['json', 'markdown'] as const;
export const IMPORT_FORMATS = ['parley', 'chatgpt'] as const;

/**
 * The largest file `conversation.import` takes inline, in bytes of UTF-8: a tRPC body is parsed
 * whole. Larger files go to the streamed HTTP route (POST /api/import).
 */
export const INLINE_IMPORT_MAX_BYTES = 8 * 1024 * 1024;

export const exportConversationInput = z.object({
  id: conversationIdSchema,
  /** Parley's JSON document (the default), or Markdown to read. */
  format: z.enum(EXPORT_FORMATS).default('json'),
});

export const importConversationsInput = z.object({
  /** The file's text: Parley's JSON or NDJSON export, or ChatGPT's conversations.json. */
  content: z.string(),
  /** Detected from the file when absent. */
  format: z.enum(IMPORT_FORMATS).optional(),
});
