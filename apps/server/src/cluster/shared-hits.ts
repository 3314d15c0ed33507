/**
 * A worker's rate-limit counter: the counts live in the cluster's primary, which every worker asks
 * over IPC, so a limit of 3,000 a minute is 3,000 across all workers, not 3,000 each. The primary
 * is one thread and counts in arrival order, so the shared count is exact; the cost is one IPC
 * round trip per request (both limits' hits travel in one message).
 *
 * Should the channel to the primary be gone (the primary died; the worker exits with it), hits are
 * counted in this process alone, which can only admit more, never refuse what a single process
 * would have admitted.
 */
import { localHitCounter, type HitCount, type HitCounter } from '../http/limits.ts';
import { isParleyMessage, sendToPrimary, type CountsMessage } from './messages.ts';

export function sharedHitCounter(): HitCounter {
  const fallback = localHitCounter();
  const waiting = new Map<number, (counts: HitCount[]) => void>();
  let nextId = 0;
  process.on('message', (message: unknown) => {
    if (!isParleyMessage<CountsMessage>(message, 'counts')) return;
    const answer = waiting.get(message.id);
    waiting.delete(message.id);
    answer?.(message.counts);
  });
  // Questions the primary can no longer answer are counted here instead.
  process.once('disconnect', () => {
    for (const answer of waiting.values()) answer([]);
    waiting.clear();
  });

  return (hits) => {
    const id = nextId++;
    const answered = new Promise<HitCount[]>((resolve) => waiting.set(id, resolve));
    if (!sendToPrimary({ parley: 'hits', id, hits })) {
      waiting.delete(id);
      return fallback(hits);
    }
    return answered.then((counts) => (counts.length === hits.length ? counts : fallback(hits)));
  };
}
