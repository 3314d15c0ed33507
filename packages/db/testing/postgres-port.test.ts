import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { LOWEST_PORT, choosePostgresPort, ephemeralRangeStart } from './postgres-port.ts';

const listen = (port: number) =>
  new Promise<net.Server>((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
const close = (server: net.Server) => new Promise((resolve) => server.close(resolve));

describe('choosePostgresPort', () => {
  it('chooses a free port below the ephemeral range, where no listen(0) or connect() lands', async () => {
    const end = ephemeralRangeStart();
    for (let i = 0; i < 20; i++) {
      const port = await choosePostgresPort();
      expect(port).toBeGreaterThanOrEqual(LOWEST_PORT);
      expect(port).toBeLessThan(end);
      await close(await listen(port)); // free: it can be listened on
    }
  });

  it('passes over a port that is taken', async () => {
    const taken = await choosePostgresPort();
    const holder = await listen(taken);
    try {
      const end = ephemeralRangeStart();
      const draws = [(taken - LOWEST_PORT + 0.5) / (end - LOWEST_PORT)];
      const random = () => draws.shift() ?? Math.random();
      const port = await choosePostgresPort(random);
      expect(draws).toEqual([]); // the taken port was drawn first
      expect(port).not.toBe(taken);
      expect(port).toBeLessThan(end);
    } finally {
      await close(holder);
    }
  });
});
