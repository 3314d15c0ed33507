/**
 * One load run: autocannon's programmatic API on 127.0.0.1, a fixed number of keep-alive
 * connections for a fixed time (or, to prime a target, for a number of requests). Each connection
 * gets its own list of requests built by the scenario beforehand (so renames cycle over many
 * conversations and titles) and sends them in a loop: autocannon encodes a fixed list once,
 * whereas building every request on the fly (setupRequest) costs the load generator about a third
 * more CPU, which it takes from the server on a 2-core machine. Latencies are recorded here from
 * every response with sub-millisecond precision (autocannon's own histogram keeps whole
 * milliseconds); the target's resident memory is sampled from /proc while the load runs.
 */
import autocannon from 'autocannon';
import { processMemory } from './process.ts';
import { percentile } from './stats.ts';

export interface RequestSpec {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  /** JSON text. */
  body?: string;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  /** Stop after this many responses instead of after `seconds`. */
  requests?: number;
  /** A request unanswered this long is a timeout (default 10 s). */
  timeoutSeconds?: number;
  /** Sent with every request (authorization, content-type). */
  headers: Record<string, string>;
  next(): RequestSpec;
  /** The target's pid, to sample its memory. */
  pid?: number;
  /** Requests in each connection's loop (default 256). */
  perConnection?: number;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  /** Latency percentiles in milliseconds. */
  p50: number;
  p99: number;
  /** Responses that were not 2xx, connection errors, timeouts: any of them fails the run. */
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** Largest VmRSS sampled during the run, bytes (0 without a pid). */
  peakRss: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  let peakRss = 0;
  const sample = () => {
    if (options.pid === undefined) return;
    try {
      peakRss = Math.max(peakRss, processMemory(options.pid).rss);
    } catch {
      // the process is gone; the run will report the errors
    }
  };
  sample();
  const sampler = setInterval(sample, 100);
  try {
    const result = await new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url: options.url,
          connections: options.connections,
          ...(options.requests === undefined
            ? { duration: options.seconds }
            : { amount: options.requests }),
          pipelining: 1,
          timeout: options.timeoutSeconds ?? 10,
          headers: options.headers,
          setupClient(client) {
            client.setRequests(
              Array.from({ length: options.perConnection ?? 256 }, () => {
                const spec = options.next();
                return { method: spec.method, path: spec.path, body: spec.body ?? '' };
              }),
            );
          },
        },
        (error: unknown, done) => (error ? reject(toError(error)) : resolve(done)),
      );
      instance.on('response', (_client, _status, _bytes, responseTime) => {
        latencies.push(responseTime);
      });
    });
    const sorted = Float64Array.from(latencies).sort();
    const statusCodes: Record<string, number> = {};
    for (const [code, stats] of Object.entries(result.statusCodeStats ?? {})) {
      statusCodes[code] = stats.count ?? 0;
    }
    return {
      requests: result.requests.total,
      seconds: result.duration,
      rps: result.duration > 0 ? result.requests.total / result.duration : 0,
      p50: percentile(sorted, 50),
      p99: percentile(sorted, 99),
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      statusCodes,
      peakRss,
    };
  } finally {
    clearInterval(sampler);
    sample();
  }
}

/** What is wrong with a run, or null: a benchmark of error responses measures nothing. */
export function runFailure(result: LoadResult): string | null {
  if (result.requests === 0) return 'no request completed';
  const problems: string[] = [];
  if (result.non2xx > 0) {
    const codes = Object.entries(result.statusCodes)
      .filter(([code]) => !code.startsWith('2'))
      .map(([code, count]) => `${count} × ${code}`);
    problems.push(`${result.non2xx} non-2xx responses (${codes.join(', ')})`);
  }
  if (result.errors > 0) problems.push(`${result.errors} connection errors`);
  if (result.timeouts > 0) problems.push(`${result.timeouts} timeouts`);
  return problems.length > 0 ? problems.join('; ') : null;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
