import { conversationRouter } from './router/conversation.ts';
import { healthRouter } from './router/health.ts';
import { messageRouter } from './router/message.ts';
import { createCallerFactory, createTRPCRouter } from './trpc.ts';

export const appRouter = createTRPCRouter({
  conversation: conversationRouter,
  message: messageRouter,
  health: healthRouter,
});

export type AppRouter = typeof appRouter;

/** Type-safe calls without HTTP, for the REST faces and tests: `createCaller(ctx).conversation.get(…)`. */
export const createCaller = createCallerFactory(appRouter);
