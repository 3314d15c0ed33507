/**
 * A port for a test PostgreSQL. PostgreSQL cannot listen on port 0, so the port is chosen first
 * and bound a few seconds later, after initdb. A port the kernel hands out (listen(0)) is one any
 * other process's listen(0) or connect() may be handed in those seconds: the test servers and
 * clients of the packages that turbo runs beside this one. A free port below the kernel's
 * ephemeral range is one that nothing is handed by chance.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';

/** Where the chosen ports start: above the well-known and commonly configured ones. */
export const LOWEST_PORT = 10_000;
/** Tries at random before falling back to a port the kernel hands out. */
const ATTEMPTS = 100;

/** The first port of the kernel's ephemeral range (Linux's default when it cannot be read). */
export function ephemeralRangeStart(): number {
  try {
    const [low] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8')
      .trim()
      .split(/\s+/);
    const port = Number(low);
    return Number.isInteger(port) && port > 0 ? port : 32_768;
  } catch {
    return 32_768;
  }
}

/** Listens on `port` (0: one the kernel hands out) and closes again: the port, or null if taken. */
function tryPort(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(null));
    server.listen(port, '127.0.0.1', () => {
      const { port: bound } = server.address() as net.AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * A port free now on 127.0.0.1, at random between LOWEST_PORT and the ephemeral range; one the
 * kernel hands out where that range leaves no room below it. `random` is Math.random's shape (the
 * tests hand it a taken port first).
 */
export async function choosePostgresPort(random: () => number = Math.random): Promise<number> {
  const end = ephemeralRangeStart();
  if (end - LOWEST_PORT >= 1_000) {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const port = await tryPort(LOWEST_PORT + Math.floor(random() * (end - LOWEST_PORT)));
      if (port !== null) return port;
    }
  }
  const port = await tryPort(0);
  if (port === null) throw new Error('no free port on 127.0.0.1');
  return port;
}
