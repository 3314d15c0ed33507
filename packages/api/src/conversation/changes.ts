/**
 * The caller's live changes, for as long as the credential that opened the stream holds. A
 * subscription outlives the request that authenticated it: the authenticator's credential watch
 * verifies it again every few seconds, and when it no longer verifies (a revoked key, an expired
 * session) the stream ends with UNAUTHORIZED, so the page signs out instead of listening on.
 */
import { TRPCError } from '@trpc/server';
import type { Principal } from '../auth/principal.ts';
import type { ApiDeps } from '../deps/api-deps.ts';
import type { ConversationEvent } from '../deps/conversation-events.ts';

export async function* changesWhileAuthorized(
  deps: Pick<ApiDeps, 'events' | 'authenticate'>,
  caller: Principal,
  authorization: string | undefined,
  signal?: AbortSignal,
): AsyncGenerator<ConversationEvent> {
  const ended = new AbortController();
  // A caller resolved by the host (no header of its own) is the host's to watch.
  const unwatch = authorization
    ? deps.authenticate.watch(authorization, () => ended.abort())
    : () => undefined;
  try {
    const until = signal ? AbortSignal.any([signal, ended.signal]) : ended.signal;
    yield* deps.events.subscribe(caller.userId, until);
  } finally {
    unwatch();
  }
  if (ended.signal.aborted) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message: 'The credential of this stream was revoked or has expired.',
    });
  }
}
