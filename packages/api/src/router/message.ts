import {
  appendMessage,
  appendMessages,
  deleteMessage,
  getMessage,
  listMessages,
} from '../conversation/messages.ts';
import {
  appendMessageInput,
  appendMessagesInput,
  listMessagesInput,
  messageByIdInput,
} from '../rules/schemas.ts';
import { createTRPCRouter, protectedProcedure } from '../trpc.ts';

export const messageRouter = createTRPCRouter({
  append: protectedProcedure
    .input(appendMessageInput)
    .mutation(({ ctx, input }) =>
      appendMessage(ctx.db, ctx.principal, input, ctx.events, ctx.autoTitles ? ctx : undefined),
    ),

  /** Several messages in order, all or none (at most 20). */
  appendMany: protectedProcedure
    .input(appendMessagesInput)
    .mutation(({ ctx, input }) =>
      appendMessages(ctx.db, ctx.principal, input, ctx.events, ctx.autoTitles ? ctx : undefined),
    ),

  /** Deletes one message; answers with the conversation as it is after. */
  delete: protectedProcedure
    .input(messageByIdInput)
    .mutation(({ ctx, input }) => deleteMessage(ctx.db, ctx.principal, input, ctx.events)),

  list: protectedProcedure
    .input(listMessagesInput)
    .query(({ ctx, input }) => listMessages(ctx.db, ctx.principal, input)),

  get: protectedProcedure
    .input(messageByIdInput)
    .query(({ ctx, input }) => getMessage(ctx.db, ctx.principal, input)),
});
