import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';

const PLACEHOLDER = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; padding: 0 1rem">
<h1>Parley</h1>
<p>The server is running. The web app has not been built here yet.</p>
<p>API: <code>POST /trpc/conversation.create</code> with <code>Authorization: Bearer &lt;API key&gt;</code>.
Health: <a href="/healthz">/healthz</a>.</p>
</body>
</html>`;

/** Where the web app's build lists its own client-side paths (see apps/web/src/routes.ts). */
export const APP_ROUTES_FILE = 'app-routes.json';

/**
 * The client-side paths the build says are the app's own, as one test; null when the build has no
 * list (an older build), in which case every path outside the APIs is the app's, as it was.
 */
function appRoutesOf(distDir: string): ((route: string) => boolean) | null {
  const file = path.join(distDir, APP_ROUTES_FILE);
  if (!existsSync(file)) return null;
  const patterns = (JSON.parse(readFileSync(file, 'utf8')) as string[]).map((p) => new RegExp(p));
  return (route) => patterns.some((pattern) => pattern.test(route));
}

/**
 * The web app's static build, with index.html for the app's own client-side routes (deep links);
 * every other path, an API prefix (e.g. /trpc, /v1) or a mistyped one (/health), is left to the
 * JSON 404. A placeholder page when the app is not built. Hashed assets are cached for a year,
 * index.html never (it names the hashes).
 */
export function webApp(distDir: string, apiPrefixes: string[]): Router {
  const router = express.Router();
  const index = path.join(distDir, 'index.html');
  if (!existsSync(index)) {
    router.get('/', (_req, res) => {
      res.type('html').send(PLACEHOLDER);
    });
    return router;
  }
  router.use(
    '/assets',
    express.static(path.join(distDir, 'assets'), {
      immutable: true,
      maxAge: '1y',
      fallthrough: false,
    }),
  );
  router.use(express.static(distDir, { index: false }));
  const underApi = (route: string) => apiPrefixes.some((prefix) => route.startsWith(`${prefix}/`));
  const isAppRoute = appRoutesOf(distDir) ?? ((route: string) => !underApi(route));
  router.get(/.*/, (req, res, next) => {
    if (underApi(req.path) || !isAppRoute(req.path) || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
