import { existsSync } from 'node:fs';
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

/**
 * The web app's static build, with index.html for client-side routes except under the APIs'
 * prefixes (e.g. /trpc, /v1); a placeholder page when the app is not built. Hashed assets are
 * cached for a year, index.html never (it names the hashes).
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
  router.get(/.*/, (req, res, next) => {
    if (underApi(req.path) || !req.accepts('html')) return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return router;
}
