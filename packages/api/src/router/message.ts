import { appendMessage, getMessage, listMessages } from '../conversation/messages.ts';
import { appendMessageInput, listMessagesInput, messageByIdInput } from '../rules/schemas.ts';
import { createTRPCRouter, protectedProcedure } from '../trpc.ts';

export const messageRouter = createTRPCRouter({
  append: protectedProcedure
    .input(appendMessageInput)
    .mutation(({ ctx, input }) =>
      appendMessage(ctx.db, ctx.principal, input, ctx.events, ctx.autoTitles ? ctx : undefined),
    ),

  list: protectedProcedure
    .input(listMessagesInput)
    .query(({ ctx, input }) => listMessages(ctx.db, ctx.principal, input)),

  get: protectedProcedure
    .input(messageByIdInput)
    .query(({ ctx, input }) => getMessage(ctx.db, ctx.principal, input)),
});
