/**
 * The writes a server acknowledged during a load test, and a wait for there to be at least n of
 * them: the crash tests kill a process once some writes are in, and stop once more are.
 */
export function acknowledgedWrites(boundMs = 60_000) {
  const ids: string[] = [];
  let check = () => undefined as void;
  return {
    /** The ids acknowledged so far, in order. */
    ids,
    add(id: string) {
      ids.push(id);
      check();
    },
    /** Resolves once at least `n` writes are acknowledged; fails after `boundMs` (a hang). */
    atLeast(n: number) {
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`fewer than ${n} writes`)), boundMs);
        check = () => {
          if (ids.length < n) return;
          clearTimeout(timer);
          resolve();
        };
        check();
      });
    },
  };
}
