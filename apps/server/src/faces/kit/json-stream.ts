/**
 * A JSON response with one array too long to build whole (the RAG face's messages: a conversation
 * may hold any number): the rest of the body is decided up front, and the array's items are
 * written page by page as they are read, waiting for the client whenever the socket's buffer is
 * full. Memory stays at about one page whatever the length.
 */
import type { Request, Response } from 'express';

/** An array of a response body whose items arrive in pages. */
export class JsonArrayStream {
  constructor(readonly pages: AsyncIterable<unknown[]>) {}
}

/** The top-level field of a body that streams, if one does. */
export function streamedField(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  return Object.keys(body).find(
    (key) => (body as Record<string, unknown>)[key] instanceof JsonArrayStream,
  );
}

/** The client went away: there is no one left to write to. */
class ClientGone extends Error {}

/** Resolves when the socket can take more, rejects when the client went away meanwhile. */
function drained(res: Response): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (settle: () => void) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      settle();
    };
    const onDrain = done(resolve);
    const onClose = done(() => reject(new ClientGone()));
    res.on('drain', onDrain);
    res.on('close', onClose);
  });
}

async function write(res: Response, chunk: string): Promise<void> {
  if (res.destroyed) throw new ClientGone();
  if (!res.write(chunk)) await drained(res);
}

/**
 * Writes `body` (whose `field` is a JsonArrayStream) as JSON with the status given; headers set
 * before (ETag) go out with the first byte. The first page is read before that byte, so a failure
 * to read at all is still an error response; a failure after it can only cut the connection
 * (it reaches the caller, which logs it). A client that goes away ends the writing quietly.
 */
export async function sendStreamedJson(
  req: Request,
  res: Response,
  status: number,
  body: object,
  field: string,
): Promise<void> {
  const entries = Object.entries(body);
  const at = entries.findIndex(([key]) => key === field);
  const stream = entries[at]![1] as JsonArrayStream;
  // The object's JSON around the array, field by field in the body's order.
  const member = ([key, value]: [string, unknown]) =>
    `${JSON.stringify(key)}:${JSON.stringify(value)}`;
  const before = `{${[...entries.slice(0, at).map(member), `${JSON.stringify(field)}:`].join(',')}`;
  const after = `${entries
    .slice(at + 1)
    .map((entry) => `,${member(entry)}`)
    .join('')}}`;
  const pages = stream.pages[Symbol.asyncIterator]();
  // HEAD asks for the headers only: nothing to read.
  let page = req.method === 'HEAD' ? { done: true as const, value: undefined } : await pages.next();

  res.status(status).type('application/json');
  try {
    await write(res, `${before}[`);
    let first = true;
    while (!page.done) {
      if (page.value.length > 0) {
        const items = page.value.map((item) => JSON.stringify(item)).join(',');
        await write(res, first ? items : `,${items}`);
        first = false;
      }
      page = await pages.next();
    }
    await write(res, `]${after}`);
    res.end();
  } catch (error) {
    await pages.return?.();
    if (error instanceof ClientGone) return;
    throw error;
  }
}
