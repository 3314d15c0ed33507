/**
 * Security headers (helmet) on every response, HTML and JSON alike, and CORS closed unless the
 * operator lists the origins allowed to call the API from a browser.
 */
import cors from 'cors';
import type { Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

/**
 * Helmet's headers. Its Content-Security-Policy has browsers fetch every resource of the page over
 * https (upgrade-insecure-requests): right for a page that came over TLS, but a page served over
 * plain HTTP under a name other than localhost (http://parley.lan:3000/) would load none of its
 * scripts and stay white. So the directive goes only with requests that arrived over TLS.
 */
export function securityHeaders(): RequestHandler {
  return headersByTransport((overTls) =>
    helmet({
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: overTls ? [] : null } },
    }),
  );
}

/**
 * The /docs page's policy: helmet's, over TLS or not as above, with what the API reference needs.
 * Its script is Parley's own file, so script-src stays 'self'. Styles keep 'unsafe-inline' (but
 * not the app's https:): the reference creates <style> elements as it runs, its theme's variables
 * and its notices' styles among them, and only its main stylesheet would carry a nonce. Fonts:
 * Parley's own only (the reference uses the system's).
 */
export function docsContentSecurityPolicy(): RequestHandler {
  return headersByTransport((overTls) =>
    helmet.contentSecurityPolicy({
      directives: {
        styleSrc: ["'self'", "'unsafe-inline'"],
        fontSrc: ["'self'"],
        upgradeInsecureRequests: overTls ? [] : null,
      },
    }),
  );
}

/**
 * Sets the headers of one of two middleware, each precomputed once: the one built for requests
 * that came over TLS (req.secure: directly, or as a proxy trusted through PARLEY_TRUST_PROXY says)
 * or the one for plain HTTP.
 */
function headersByTransport(build: (overTls: boolean) => RequestHandler): RequestHandler {
  const overTls = headersSetBy(build(true));
  const overPlainHttp = headersSetBy(build(false));
  return (req, res, next) => {
    for (const [name, value] of req.secure ? overTls : overPlainHttp) res.setHeader(name, value);
    next();
  };
}

/**
 * The headers a middleware sets on a response that it does not otherwise read or change, found
 * by running it once against a stand-in. Helmet's defaults are constant, but the middleware
 * builds its Content-Security-Policy value and walks its own chain of thirteen middleware on
 * every request (1-3% of a rename's instructions, docs/performance.md).
 */
function headersSetBy(middleware: RequestHandler): [string, string][] {
  const headers = new Map<string, string>();
  let done = false;
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name, String(value));
      return this;
    },
    removeHeader(name: string) {
      headers.delete(name);
    },
  };
  let failure: unknown;
  void middleware({} as Request, response as unknown as Response, (error?: unknown) => {
    failure = error;
    done = true;
  });
  if (!done || failure) {
    throw new Error('A header middleware must finish synchronously to be precomputed.', {
      cause: failure,
    });
  }
  return [...headers];
}

/** No CORS headers at all unless origins are configured; then only those, with credentials. */
export function corsPolicy(origins: string[]): RequestHandler | undefined {
  if (origins.length === 0) return undefined;
  return cors({
    origin: origins,
    credentials: true,
    allowedHeaders: [
      'authorization',
      'content-type',
      'if-match',
      'idempotency-key',
      'x-request-id',
      'trpc-accept',
    ],
    exposedHeaders: ['etag', 'retry-after', 'x-request-id'],
    maxAge: 600,
  });
}
