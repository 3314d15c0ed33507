/** The export and import routes (portability.ts) in /openapi.json, beside the faces. */
import { EXPORT_FORMAT, EXPORT_VERSION, IMPORT_FORMATS, MESSAGE_ROLES } from '@parley/api';
import { z } from 'zod';
import type { ZodOpenApiOperationObject, ZodOpenApiPathsObject } from 'zod-openapi';

export const PORTABILITY_TAG = {
  name: 'Export and import',
  description:
    'Parley’s own routes for backups and moving in: every conversation as NDJSON, one as JSON or ' +
    'Markdown, and imports of Parley’s export or ChatGPT’s conversations.json. Errors are ' +
    '`{ error, message }`, with `at` (byte, line, column, item index) when a file is at fault.',
};

const position = z.object({
  byte: z.number().int(),
  line: z.number().int(),
  column: z.number().int(),
  index: z.number().int(),
});

const errorBody = z
  .object({
    error: z.string(),
    message: z.string(),
    at: position.optional(),
  })
  .meta({ id: 'ParleyError' });

const message = z.object({
  id: z.string(),
  role: z.enum(MESSAGE_ROLES),
  content: z.string(),
  createdAt: z.string(),
});

const exportDocument = z
  .object({
    format: z.literal(EXPORT_FORMAT),
    version: z.literal(EXPORT_VERSION),
    id: z.string(),
    title: z.string(),
    titleSource: z.enum(['user', 'generated', 'default']),
    model: z.string(),
    userDisplay: z.string().nullable(),
    timezone: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    lastMessageAt: z.string().nullable(),
    messageCount: z.number().int(),
    messages: z.array(message),
  })
  .meta({ id: 'ParleyExport', description: 'Parley’s export format, version 1.' });

const report = z
  .object({
    format: z.enum(IMPORT_FORMATS),
    imported: z.number().int(),
    conversations: z.array(
      z.object({
        index: z.number().int(),
        sourceId: z.string(),
        id: z.string(),
        title: z.string(),
        messages: z.number().int(),
        skippedMessages: z.record(z.string(), z.number().int()),
      }),
    ),
    skippedCount: z.number().int(),
    skipped: z.array(
      z.object({
        index: z.number().int(),
        sourceId: z.string().optional(),
        reason: z.string(),
        id: z.string().optional(),
      }),
    ),
    messagesSkipped: z.number().int(),
  })
  .meta({ id: 'ImportReport' });

const ERRORS: Record<number, string> = {
  400: 'The file is not JSON, is cut short, or is of another format; `at` says where.',
  401: 'Missing or invalid credentials.',
  404: 'No such conversation for this caller (unknown, malformed, or someone else’s id).',
  405: 'Another method on a known path.',
  413: 'The file is larger than the import limit (PARLEY_IMPORT_LIMIT).',
  415: 'The body is not application/json, application/x-ndjson or application/jsonl.',
  429: 'Too many requests; retry after the number of seconds in Retry-After.',
};

const errors = (statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: ERRORS[status]!,
        content: { 'application/json': { schema: errorBody } },
      },
    ]),
  );

const idParam = z.object({
  id: z.string().meta({ description: 'The conversation’s id, in any rendering.' }),
});

const common = { tags: [PORTABILITY_TAG.name], security: [{ bearerAuth: [] }] };

const exportOne = (format: 'json' | 'md'): ZodOpenApiOperationObject => ({
  ...common,
  operationId: format === 'json' ? 'exportConversationJson' : 'exportConversationMarkdown',
  summary:
    format === 'json'
      ? 'One conversation, as Parley’s JSON export'
      : 'One conversation, as Markdown',
  requestParams: { path: idParam },
  responses: {
    '200': {
      description: 'The conversation, streamed, as an attachment.',
      content:
        format === 'json'
          ? { 'application/json': { schema: exportDocument } }
          : { 'text/markdown': { schema: z.string() } },
    },
    ...errors([401, 404, 429]),
  },
});

export const portabilityPaths: ZodOpenApiPathsObject = {
  '/api/export/conversations.ndjson': {
    get: {
      ...common,
      operationId: 'exportAllConversations',
      summary: 'All of the caller’s conversations, one JSON export per line',
      description:
        'Oldest first; streamed, so memory stays bounded whatever the size. Each line is a ' +
        '`ParleyExport` document.',
      responses: {
        '200': {
          description: 'NDJSON, as an attachment.',
          content: { 'application/x-ndjson': { schema: z.string() } },
        },
        ...errors([401, 429]),
      },
    },
  },
  '/api/export/conversations/{id}.json': { get: exportOne('json') },
  '/api/export/conversations/{id}.md': { get: exportOne('md') },
  '/api/import': {
    post: {
      ...common,
      operationId: 'importConversations',
      summary: 'Import Parley’s export or ChatGPT’s conversations.json into the caller’s account',
      description:
        'The file is the body. It is checked whole before anything is written; then each ' +
        'conversation is imported in its own transaction, whole or not at all. A conversation ' +
        'imported before is skipped ("already imported").',
      requestParams: {
        query: z.object({
          format: z
            .enum(IMPORT_FORMATS)
            .optional()
            .meta({ description: 'The file’s format; detected when absent.' }),
        }),
      },
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: z.unknown() },
          'application/x-ndjson': { schema: z.string() },
        },
      },
      responses: {
        '200': {
          description: 'What was imported, and what was skipped and why.',
          content: { 'application/json': { schema: report } },
        },
        ...errors([400, 401, 413, 415, 429]),
      },
    },
  },
};
