/**
 * Preloaded into every benchmark target (`node --import`, see process.ts): when the process's
 * first TCP server starts listening, this prints `bench-target listening <url>` on stdout. The
 * harness starts each target with PORT=0 and learns from this line the port the kernel gave it, so
 * no port is picked beforehand that another program could take before the target binds it.
 *
 * Plain JavaScript, because Parley's production bundle runs without tsx; it touches nothing but
 * net.Server's listen, and writes one line per process.
 */
import { writeSync } from 'node:fs';
import net from 'node:net';

const listen = net.Server.prototype.listen;
let reported = false;

net.Server.prototype.listen = function (...args) {
  this.once('listening', () => {
    const address = this.address();
    if (reported || address === null || typeof address !== 'object') return;
    reported = true;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    // Straight to fd 1, as pino writes: no process.stdout stream is made in the measured process.
    writeSync(1, `bench-target listening http://${host}:${address.port}\n`);
  });
  return listen.apply(this, args);
};
