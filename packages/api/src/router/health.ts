import { createTRPCRouter, publicProcedure } from '../trpc.ts';

export const healthRouter = createTRPCRouter({
  /** Answers once the database does: the same check as the server's /healthz. */
  check: publicProcedure.query(async ({ ctx }) => {
    await ctx.db.$queryRaw`SELECT 1`;
    return { ok: true as const };
  }),
});
