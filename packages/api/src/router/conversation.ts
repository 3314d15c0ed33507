import { changesWhileAuthorized } from '../conversation/changes.ts';
import {
  createConversation,
  createConversationWithMessages,
  deleteConversation,
  getConversation,
  listConversations,
  renameConversation,
  setConversationMetadata,
} from '../conversation/conversations.ts';
import { markConversation } from '../conversation/marks.ts';
import { searchConversations } from '../conversation/search.ts';
import type { ConversationMark } from '../data/statements.ts';
import { generateConversationTitle } from '../conversation/naming.ts';
import {
  conversationByIdInput,
  createConversationInput,
  listConversationsInput,
  markConversationInput,
  renameConversationInput,
  searchConversationsInput,
  setMetadataInput,
} from '../rules/schemas.ts';
import { createTRPCRouter, protectedProcedure } from '../trpc.ts';
import { portabilityProcedures } from './portability.ts';

/** Sets (`on`) or clears a mark of the caller's conversation. */
const markProcedure = (mark: ConversationMark, on: boolean) =>
  protectedProcedure
    .input(markConversationInput)
    .mutation(({ ctx, input }) =>
      markConversation(ctx.db, ctx.principal, input, mark, on, ctx.events),
    );

export const conversationRouter = createTRPCRouter({
  create: protectedProcedure
    .input(createConversationInput)
    .mutation(({ ctx, input }) =>
      createConversation(
        ctx.db,
        ctx.principal,
        input,
        ctx.events,
        ctx.autoTitles ? ctx : undefined,
      ),
    ),

  /** A create that also answers with the messages it stored (the REST faces' create with items). */
  createWithMessages: protectedProcedure
    .input(createConversationInput)
    .mutation(({ ctx, input }) =>
      createConversationWithMessages(
        ctx.db,
        ctx.principal,
        input,
        ctx.events,
        ctx.autoTitles ? ctx : undefined,
      ),
    ),

  rename: protectedProcedure
    .input(renameConversationInput)
    .mutation(({ ctx, input }) => renameConversation(ctx.db, ctx.principal, input, ctx.events)),

  /** Replaces the metadata whole; with `expectedVersion`, only while that version is current. */
  setMetadata: protectedProcedure
    .input(setMetadataInput)
    .mutation(({ ctx, input }) =>
      setConversationMetadata(ctx.db, ctx.principal, input, ctx.events),
    ),

  get: protectedProcedure
    .input(conversationByIdInput)
    .query(({ ctx, input }) => getConversation(ctx.db, ctx.principal, input.id)),

  list: protectedProcedure
    .input(listConversationsInput)
    .query(({ ctx, input }) => listConversations(ctx.db, ctx.principal, input)),

  /**
   * The caller's conversations whose title or messages hold every word of `q`, title matches
   * first, each with a plain-text snippet and highlight ranges (docs/api.md, "Search").
   */
  search: protectedProcedure
    .input(searchConversationsInput)
    .query(({ ctx, input }) => searchConversations(ctx.db, ctx.principal, input)),

  /** Names the conversation from its first user message (never over a person's newer title). */
  generateTitle: protectedProcedure
    .input(conversationByIdInput)
    .mutation(({ ctx, input }) => generateConversationTitle(ctx, ctx.principal, input.id)),

  /** Pinned conversations are listed first in the web app (list with `pinned: true`). */
  pin: markProcedure('pinnedAt', true),
  unpin: markProcedure('pinnedAt', false),
  /** Archived conversations leave the default list; they stay readable and renamable by id. */
  archive: markProcedure('archivedAt', true),
  unarchive: markProcedure('archivedAt', false),

  delete: protectedProcedure
    .input(conversationByIdInput)
    .mutation(({ ctx, input }) => deleteConversation(ctx.db, ctx.principal, input.id, ctx.events)),

  /**
   * The caller's own changes as they happen (created, renamed, deleted, message appended), over
   * server-sent events. Nothing is replayed: a client that (re)connects refetches what it shows.
   * The stream ends with UNAUTHORIZED within seconds of its credential being revoked.
   */
  changes: protectedProcedure.subscription(async function* ({ ctx, signal }) {
    yield* changesWhileAuthorized(ctx, ctx.principal, ctx.authorization, signal);
  }),

  ...portabilityProcedures,
});
