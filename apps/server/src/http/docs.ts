/**
 * /openapi.json, generated once at start-up from the faces' route descriptions, and /docs, an
 * interactive reference for it: Scalar's browser bundle, from the pinned @scalar/api-reference
 * package and served by Parley itself, so the page works offline and runs no script from
 * another origin (where the signed-in user's session cookie would ride its requests).
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import express, { type Router } from 'express';
import { buildOpenApiDocument, type ExtraOperations } from '../faces/kit/openapi.ts';
import type { Face } from '../faces/kit/route.ts';
import { docsContentSecurityPolicy } from './security.ts';

// The package exports no path to its browser bundle: it sits under dist/ beside the entry point
// (resolved from this module's place, so the production bundle finds it as the sources do).
const SCALAR_DIST = path.dirname(createRequire(import.meta.url).resolve('@scalar/api-reference'));
/** One self-contained script: the reference's code and styles, no further requests. */
const SCALAR_BUNDLE = path.join(SCALAR_DIST, 'browser/standalone.js');
const SCALAR_VERSION = (
  JSON.parse(readFileSync(path.join(SCALAR_DIST, '../package.json'), 'utf8')) as {
    version: string;
  }
).version;
// The version names the file: a new one gets a new URL, so the browser may keep this for a year.
const SCALAR_SCRIPT = `/docs/scalar-${SCALAR_VERSION}.js`;
/** Every path these routes answer is at or under one of these. */
export const DOCS_PATHS = ['/openapi.json', '/docs'];

/**
 * Every tag open (five faces, some twenty operations), and nothing that loads from or links to
 * Scalar's own services: fonts, telemetry, its AI agent, MCP and developer tools.
 */
const SCALAR_CONFIGURATION = {
  defaultOpenAllTags: true,
  hideClientButton: true,
  withDefaultFonts: false,
  telemetry: false,
  agent: { disabled: true },
  mcp: { disabled: true },
  showDeveloperTools: 'never',
};

const escapeAttribute = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');

/** The page: the bundle reads its settings from the #api-reference element, no inline script. */
const REFERENCE_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Parley API reference</title>
</head>
<body>
<script id="api-reference" type="application/json" data-url="/openapi.json" data-configuration="${escapeAttribute(JSON.stringify(SCALAR_CONFIGURATION))}"></script>
<script src="${SCALAR_SCRIPT}"></script>
</body>
</html>
`;

export function apiDocs(
  faces: Face[],
  version: string,
  openFaces: ReadonlySet<string> = new Set(),
  extra?: ExtraOperations,
): Router {
  if (!existsSync(SCALAR_BUNDLE)) {
    throw new Error(`The API reference's script is missing at ${SCALAR_BUNDLE}: reinstall.`);
  }
  const document = buildOpenApiDocument(faces, version, openFaces, extra);
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get('/docs', docsContentSecurityPolicy(), (_req, res) => {
    res.type('html').send(REFERENCE_PAGE);
  });
  router.get(SCALAR_SCRIPT, (_req, res) => {
    // From its directory as the root: the path to it (node_modules/.pnpm/…) is no dotfile of ours.
    res.sendFile(path.basename(SCALAR_BUNDLE), {
      root: path.dirname(SCALAR_BUNDLE),
      maxAge: '1y',
      immutable: true,
    });
  });
  return router;
}
