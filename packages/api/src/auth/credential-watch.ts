/**
 * A live stream (the `conversation.changes` subscription) outlives the request that opened it, so
 * checking its credential once would let a revoked key or an expired session listen for ever.
 * The watch asks again, without the credential cache, every few seconds for each distinct
 * credential that has a stream open, and ends the streams of one that no longer verifies: one
 * lookup per credential per interval however many streams (tabs) it holds.
 */

/** How often a credential with an open stream is verified again (revocation reaches streams within it). */
export const CREDENTIAL_RECHECK_MS = 5_000;

/** Verifies a credential afresh: true while it still holds. Rejects when it could not tell. */
export type Reverify = (authorization: string) => Promise<boolean>;

export interface CredentialWatch {
  /** Calls `onEnded` once, when the credential stops verifying; the returned function unwatches. */
  watch(this: void, authorization: string, onEnded: () => void): () => void;
}

export function createCredentialWatch(
  reverify: Reverify,
  intervalMs = CREDENTIAL_RECHECK_MS,
): CredentialWatch {
  const watched = new Map<string, Set<() => void>>();
  let timer: ReturnType<typeof setInterval> | undefined;
  let checking = false;

  const check = async () => {
    if (checking) return; // a slow database: let the running round finish
    checking = true;
    try {
      for (const [authorization, listeners] of [...watched]) {
        let holds: boolean;
        try {
          holds = await reverify(authorization);
        } catch {
          continue; // the database could not answer: end nothing on a doubt, ask next round
        }
        if (holds || watched.get(authorization) !== listeners) continue;
        watched.delete(authorization);
        for (const onEnded of listeners) onEnded();
      }
    } finally {
      checking = false;
      if (watched.size === 0) stop();
    }
  };
  const stop = () => {
    clearInterval(timer);
    timer = undefined;
  };

  return {
    watch(authorization, onEnded) {
      const listeners = watched.get(authorization) ?? new Set();
      watched.set(authorization, listeners.add(onEnded));
      // The timer never keeps a process alive on its own (shutdown ends streams anyway).
      timer ??= setInterval(() => void check(), intervalMs).unref();
      return () => {
        listeners.delete(onEnded);
        if (listeners.size === 0 && watched.get(authorization) === listeners) {
          watched.delete(authorization);
        }
        if (watched.size === 0) stop();
      };
    },
  };
}
