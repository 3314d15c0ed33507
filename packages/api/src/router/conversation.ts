import {
  createConversation,
  deleteConversation,
  getConversation,
  listConversations,
  renameConversation,
} from '../conversation/conversations.ts';
import {
  conversationByIdInput,
  createConversationInput,
  listConversationsInput,
  renameConversationInput,
} from '../schemas.ts';
import { createTRPCRouter, protectedProcedure } from '../trpc.ts';

export const conversationRouter = createTRPCRouter({
  create: protectedProcedure
    .input(createConversationInput)
    .mutation(({ ctx, input }) => createConversation(ctx.db, ctx.principal, input)),

  rename: protectedProcedure
    .input(renameConversationInput)
    .mutation(({ ctx, input }) => renameConversation(ctx.db, ctx.principal, input)),

  get: protectedProcedure
    .input(conversationByIdInput)
    .query(({ ctx, input }) => getConversation(ctx.db, ctx.principal, input.id)),

  list: protectedProcedure
    .input(listConversationsInput)
    .query(({ ctx, input }) => listConversations(ctx.db, ctx.principal, input)),

  delete: protectedProcedure
    .input(conversationByIdInput)
    .mutation(({ ctx, input }) => deleteConversation(ctx.db, ctx.principal, input.id)),
});
