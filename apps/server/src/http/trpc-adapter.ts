/**
 * tRPC over Express, thinner than tRPC's own Node adapter (`createExpressMiddleware`) and answering
 * the same: the protocol (batching, methods, errors, subscriptions as server-sent events) is
 * tRPC's own `resolveResponse`, unchanged; only the translation between Node's request and
 * response and the Fetch API's is cut down.
 *
 * tRPC's adapter copies every request header into a Fetch `Headers`, turns the request body into
 * a web `ReadableStream` for a `Request`, and pipes even a one-line JSON answer through a
 * `WritableStream`: about a third of a tRPC rename's instructions over HTTP (docs/performance.md,
 * "Layers"). Here resolveResponse gets a request that reads the headers in place and the body
 * once, as text; a JSON answer is written whole, and only a streamed one (server-sent events, a
 * streamed batch) is piped, exactly as tRPC's adapter pipes it.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { TRPCError, type AnyTRPCRouter } from '@trpc/server';
import { internal_exceptionHandler } from '@trpc/server/adapters/node-http';
import { resolveResponse, type HTTPErrorHandler } from '@trpc/server/http';
import type {
  Request as ExpressRequest,
  RequestHandler,
  Response as ExpressResponse,
} from 'express';

export interface TrpcHandlerOptions<TRouter extends AnyTRPCRouter> {
  router: TRouter;
  /** Bodies longer than this are refused with 413 (PAYLOAD_TOO_LARGE). */
  maxBodyBytes: number;
  createContext: (opts: { req: ExpressRequest; res: ExpressResponse }) => unknown;
  onError?: (
    opts: Omit<Parameters<HTTPErrorHandler<TRouter, Request>>[0], 'req'> & { req: ExpressRequest },
  ) => void;
}

/** The part of Fetch's `Headers` that resolveResponse reads, over Node's own header object. */
class IncomingHeaders {
  constructor(private readonly headers: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const value = this.headers[name.toLowerCase()];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(', ') : value;
  }
  has(name: string): boolean {
    return this.headers[name.toLowerCase()] !== undefined;
  }
}

/**
 * The request's body as text (UTF-8, a leading byte order mark dropped, as Fetch's text() reads
 * it), refused with 413 once it is longer than `maxBytes`: by its Content-Length before a byte is
 * read, or as it arrives. The rest of a refused body is not read: the connection closes after the
 * answer instead.
 */
function bodyText(req: ExpressRequest, res: ExpressResponse, maxBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) return tooLarge();
      chunks.push(chunk);
    };
    const tooLarge = () => {
      req.off('data', onData);
      req.pause();
      res.setHeader('connection', 'close');
      // As tRPC's own adapter refuses it (its maxBodySize).
      reject(new TRPCError({ code: 'PAYLOAD_TOO_LARGE' }));
    };
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) return tooLarge();
    req.on('data', onData);
    req.once('end', () => {
      const text = (chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)).toString('utf8');
      resolve(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    });
    req.once('error', reject);
  });
}

/**
 * A Fetch `Request` as far as resolveResponse uses one (method, URL, headers, signal and a JSON
 * body). Only JSON bodies reach it: every other type is refused before (trpc-content-type.ts), or
 * by tRPC itself before the body is read (form data and octet streams outside POST).
 */
function fetchRequest(
  req: ExpressRequest,
  res: ExpressResponse,
  signal: AbortSignal,
  maxBodyBytes: number,
): Request {
  let text: Promise<string> | undefined;
  const read = () => (text ??= bodyText(req, res, maxBodyBytes));
  return {
    method: req.method,
    // Only the query string is read from it; the host is not needed to parse it.
    url: `http://localhost${req.url}`,
    headers: new IncomingHeaders(req.headers),
    signal,
    text: read,
    json: async () => JSON.parse(await read()) as unknown,
  } as unknown as Request;
}

/** As tRPC's adapter writes a streamed answer: chunk by chunk, waiting when the socket is full. */
async function pipeBody(
  body: ReadableStream<Uint8Array>,
  res: ExpressResponse,
  signal: AbortSignal,
) {
  const written = new WritableStream<Uint8Array>({
    async write(chunk) {
      if (!res.write(chunk)) {
        await new Promise<void>((resolve, reject) => {
          const cleanup = () => {
            res.off('error', onError);
            res.off('drain', onDrain);
          };
          const onError = (error: Error) => {
            cleanup();
            reject(error);
          };
          const onDrain = () => {
            cleanup();
            resolve();
          };
          res.once('error', onError);
          res.once('drain', onDrain);
        });
      }
      (res as { flush?: () => void }).flush?.();
    },
  });
  try {
    await body.pipeTo(written, { signal });
  } catch (error) {
    // The client went away: the stream was cancelled, nothing more to write.
    if ((error as { name?: string } | null)?.name === 'AbortError') return;
    throw error;
  }
}

export function trpcHandler<TRouter extends AnyTRPCRouter>(
  options: TrpcHandlerOptions<TRouter>,
): RequestHandler {
  const { router, maxBodyBytes, createContext, onError } = options;
  return (req, res) => {
    // As tRPC's Express adapter: the procedure path is the last segment (batches: a,b,c).
    const path = req.path.slice(req.path.lastIndexOf('/') + 1);
    const serve = async () => {
      // Aborted when the client goes away: subscriptions end, streamed answers stop.
      const abort = new AbortController();
      const onClose = () => {
        res.off('close', onClose);
        req.off('aborted', onClose);
        abort.abort();
      };
      res.once('close', onClose);
      req.once('aborted', onClose);

      const response = await resolveResponse({
        router,
        req: fetchRequest(req, res, abort.signal, maxBodyBytes),
        path,
        error: null,
        createContext: () => Promise.resolve(createContext({ req, res })) as never,
        onError: onError && ((o) => onError({ ...o, req })),
      });

      if (res.statusCode === 200) res.statusCode = response.status;
      for (const [name, value] of response.headers) {
        if (name !== 'set-cookie') res.setHeader(name, value);
      }
      const cookies = response.headers.getSetCookie();
      if (cookies.length > 0) res.setHeader('set-cookie', cookies);
      const streamed =
        response.headers.get('content-type') !== 'application/json' ||
        response.headers.has('transfer-encoding');
      try {
        // A JSON answer in one piece, with its length; a stream as it comes.
        if (response.body && !streamed) return void res.end(await response.text());
        if (response.body) await pipeBody(response.body, res, abort.signal);
      } catch (error) {
        if (!res.headersSent) res.statusCode = 500;
        throw error;
      } finally {
        if (!res.writableEnded) res.end();
      }
    };
    serve().catch(
      internal_exceptionHandler({
        req,
        res,
        path,
        router,
        onError: onError as never,
      } as never),
    );
  };
}
