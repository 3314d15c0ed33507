/** Connections a burst opens before it lets the event loop write their requests. */
const BATCH = 50;

/**
 * Starts `count` requests together, none waiting for another's answer, but yields to the event
 * loop after every 50 so each batch's requests are written before the next batch connects.
 * Opened all in one go, the last connection's request leaves only after the client has handled
 * every other connect; on a starved machine that took over the server's 10 s headers timeout,
 * and the server rightly answered 408 for the client's own delay.
 */
export async function burst<T>(count: number, start: (i: number) => Promise<T>): Promise<T[]> {
  const started: Promise<T>[] = [];
  for (let i = 0; i < count; i++) {
    const request = start(i);
    // Rejections are Promise.all's to report; this keeps one during a later batch from being
    // reported as unhandled first.
    request.catch(() => undefined);
    started.push(request);
    if ((i + 1) % BATCH === 0) await new Promise(setImmediate);
  }
  return Promise.all(started);
}
