import { apiReference } from '@scalar/express-api-reference';
import express, { type Router } from 'express';
import { buildOpenApiDocument } from '../faces/kit/openapi.ts';
import type { Face } from '../faces/kit/route.ts';
import { docsContentSecurityPolicy } from './security.ts';

/**
 * /openapi.json, generated once at start-up from the faces' route descriptions, and /docs, an
 * interactive reference for it (Scalar; the page loads Scalar's script from its CDN).
 */
export function apiDocs(faces: Face[], version: string): Router {
  const document = buildOpenApiDocument(faces, version);
  const router = express.Router();
  router.get('/openapi.json', (_req, res) => {
    res.json(document);
  });
  router.get(
    '/docs',
    docsContentSecurityPolicy,
    apiReference({ url: '/openapi.json', pageTitle: 'Parley API reference' }),
  );
  return router;
}
