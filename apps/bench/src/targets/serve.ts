/**
 * What every baseline shares as a process: it listens on HOST:PORT from the environment (the
 * harness passes port 0 and learns the port the kernel picked, as for Parley), answers
 * GET /healthz once its database is open, and exits on SIGTERM.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export async function serve(server: Server, onClose: () => void | Promise<void>): Promise<void> {
  server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
  await once(server, 'listening');
  const stop = () => {
    server.close(() => {
      void Promise.resolve(onClose()).finally(() => process.exit(0));
    });
    server.closeAllConnections();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}
