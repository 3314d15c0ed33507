import { describe, expect, it } from 'vitest';
import { createInProcessEvents, type ConversationEvent } from './conversation-events.ts';

const deleted = (id: string): ConversationEvent => ({ type: 'deleted', id });

async function take(iterable: AsyncIterable<ConversationEvent>, n: number) {
  const out: ConversationEvent[] = [];
  for await (const event of iterable) {
    out.push(event);
    if (out.length === n) break;
  }
  return out;
}

describe('in-process conversation events', () => {
  it('a subscriber too slow to keep up is told to resync instead of buffering without bound', async () => {
    const events = createInProcessEvents();
    const iterator = events.subscribe('u1')[Symbol.asyncIterator]();
    const first = iterator.next(); // registers the subscriber, which then waits
    for (let i = 0; i < 1_000; i++) events.publish('u1', deleted(`c${i}`));
    const received: ConversationEvent[] = [(await first).value as ConversationEvent];
    events.publish('u1', deleted('after'));
    for (
      let i = 0;
      i < 300 && JSON.stringify(received.at(-1)) !== JSON.stringify(deleted('after'));
      i++
    ) {
      const r = await iterator.next();
      if (r.done) break;
      received.push(r.value);
    }
    // The backlog was replaced by one resync; what comes after it is delivered again.
    expect(received.filter((e) => e.type === 'resync')).toHaveLength(1);
    expect(received.length).toBeLessThanOrEqual(257);
    expect(received.at(-1)).toEqual(deleted('after'));
    events.close();
  });

  it('close() ends every subscription; subscribing after close yields nothing', async () => {
    const events = createInProcessEvents();
    const iterator = events.subscribe('u1')[Symbol.asyncIterator]();
    const first = iterator.next();
    events.publish('u1', deleted('a'));
    expect(await first).toEqual({ done: false, value: deleted('a') });
    const second = iterator.next();
    events.close();
    expect(await second).toEqual({ done: true, value: undefined });
    expect(await take(events.subscribe('u1'), 1)).toEqual([]);
    expect(events.subscribers('u1')).toBe(0);
  });
});
