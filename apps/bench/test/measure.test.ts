/**
 * A measurement primes each scenario before timing it. A target whose first requests are slow (a
 * PostgreSQL pool opening its connections on a loaded machine took seconds per connection) must
 * still be measured: a timed round that starts cold can end before any request completes, and
 * the bench then fails with "no request completed" although nothing is wrong with the target.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { measure } from '../src/measure.ts';
import type { Target } from '../src/process.ts';
import type { Scenario, Subject } from '../src/scenarios.ts';

const CONNECTIONS = 4;
/** How long each cold request takes; well over a round. */
const COLD_MS = 3_000;
const ROUND_SECONDS = 1;

let server: Server | undefined;

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  server = undefined;
});

/** A server whose first `cold` requests after the checked one take COLD_MS; then it is quick. */
async function coldServer(cold: number): Promise<{ target: Target; served: () => number }> {
  let served = 0;
  server = createServer((_request, response) => {
    served++;
    const answer = () => response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    if (served > 1 && served <= 1 + cold) setTimeout(answer, COLD_MS);
    else answer();
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const target: Target = {
    name: 'cold',
    url: `http://127.0.0.1:${port}`,
    pid: process.pid,
    memory: () => ({ rss: 0, peak: 0 }),
    stop: async () => {},
    output: () => '',
  };
  return { target, served: () => served };
}

const subject: Subject = { key: 'key', userName: 'user', ids: [] };
const scenario: Scenario = {
  id: 'get@cold',
  label: 'get',
  target: 'cold',
  next: () => ({ method: 'GET', path: '/thing' }),
  expect: { status: 200, body: () => true },
};

describe('measure', () => {
  it('primes a target whose first requests outlast a round, then times its rounds', async () => {
    const { target, served } = await coldServer(CONNECTIONS);
    const [figures] = await measure(
      [scenario],
      new Map([['cold', target]]),
      new Map([['cold', subject]]),
      { connections: CONNECTIONS, seconds: ROUND_SECONDS, rounds: 2, warmup: 0 },
    );
    expect(figures?.rounds).toHaveLength(2);
    for (const round of figures?.rounds ?? []) {
      expect(round.requests).toBeGreaterThan(0);
      // No cold request fell into a round: they were all answered while priming.
      expect(round.p99Ms).toBeLessThan(COLD_MS);
    }
    expect(served()).toBeGreaterThan(1 + CONNECTIONS);
  });
});
