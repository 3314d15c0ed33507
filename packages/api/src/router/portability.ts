/**
 * Export and import, as procedures of the conversation router. The export of all conversations
 * and imports of large files are streamed over HTTP by the host instead (a tRPC answer and body
 * are built whole); these serve the web app and scripts that handle one file at a time.
 */
import { TRPCError } from '@trpc/server';
import { exportConversationDocument, exportConversationMarkdown } from '../portability/export.ts';
import { importConversations } from '../portability/import.ts';
import { exportFileName } from '../rules/export-format.ts';
import {
  exportConversationInput,
  importConversationsInput,
  INLINE_IMPORT_MAX_BYTES,
} from '../rules/portability-schemas.ts';
import { protectedProcedure } from '../trpc.ts';

const CHUNK = 64 * 1024;

/** A string as chunks of UTF-8, for the streaming reader. */
function* chunksOf(text: string): Generator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += CHUNK) yield bytes.subarray(i, i + CHUNK);
}

export const portabilityProcedures = {
  /** One conversation as a file: `{ filename, contentType, content }`. */
  export: protectedProcedure.input(exportConversationInput).query(async ({ ctx, input }) => {
    if (input.format === 'markdown') {
      const { id, markdown } = await exportConversationMarkdown(ctx.db, ctx.principal, input.id);
      return {
        filename: exportFileName(id, 'markdown'),
        contentType: 'text/markdown; charset=utf-8',
        content: markdown,
      };
    }
    const document = await exportConversationDocument(ctx.db, ctx.principal, input.id);
    return {
      filename: exportFileName(document.id, 'json'),
      contentType: 'application/json',
      content: JSON.stringify(document),
    };
  }),

  /** Imports a file's conversations into the caller's account; returns the report. */
  import: protectedProcedure.input(importConversationsInput).mutation(({ ctx, input }) => {
    const size = Buffer.byteLength(input.content);
    if (size > INLINE_IMPORT_MAX_BYTES) {
      throw new TRPCError({
        code: 'PAYLOAD_TOO_LARGE',
        message: `The file is ${size} bytes; conversation.import takes up to ${INLINE_IMPORT_MAX_BYTES}. Send larger files to POST /api/import.`,
      });
    }
    return importConversations(
      ctx.db,
      ctx.principal,
      () => chunksOf(input.content),
      { format: input.format, maxBytes: INLINE_IMPORT_MAX_BYTES },
      ctx.events,
    );
  }),
};
