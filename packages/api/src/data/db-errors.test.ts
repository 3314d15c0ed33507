import net from 'node:net';
import { openDatabase } from '@parley/db';
import { TRPCError } from '@trpc/server';
import { describe, expect, it } from 'vitest';
import { isDatabaseUnavailable } from './db-errors.ts';

describe('isDatabaseUnavailable', () => {
  it('takes a connection that timed out connecting for a busy database (503), wrapped or not', async () => {
    // A "PostgreSQL" that accepts connections and never answers: each connection of the pool
    // gives up after its connect timeout, with node-postgres's own error.
    const sockets: net.Socket[] = [];
    const silent = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    try {
      const error = await openDatabase({ url: `postgresql://parley:x@127.0.0.1:${port}/parley` })
        .then((handle) => handle.close())
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect(isDatabaseUnavailable(error)).toBe(true);
      const inTrpc = new TRPCError({ code: 'INTERNAL_SERVER_ERROR', cause: error });
      expect(isDatabaseUnavailable(inTrpc)).toBe(true);
    } finally {
      for (const socket of sockets) socket.destroy();
      silent.close();
    }
  });

  it('leaves other timeouts and errors to be 500s', () => {
    expect(isDatabaseUnavailable(new Error('The operation was aborted due to timeout'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
  });
});
