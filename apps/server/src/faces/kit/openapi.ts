/**
 * The OpenAPI 3.1 document of every REST face, derived from the same route descriptions and zod
 * schemas that the handlers validate with (never written by hand, so it cannot drift).
 */
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
} from 'zod-openapi';
import { ERROR_DESCRIPTIONS } from './dialect.ts';
import type { Face, Route } from './route.ts';

const ifMatchHeader = z.object({
  'if-match': z.string().optional().meta({
    description:
      'Rename only if the conversation is still at this version (its ETag, e.g. "3"); 412 otherwise.',
  }),
});
const idempotencyHeader = z.object({
  'idempotency-key': z.string().max(255).optional().meta({
    description:
      'Makes the create safe to retry: a replay returns the conversation the first call created.',
  }),
});

function operation(face: Face, r: Route, open: boolean): ZodOpenApiOperationObject {
  const header =
    r.precondition === 'if-match'
      ? ifMatchHeader
      : r.precondition === 'idempotency-key'
        ? idempotencyHeader
        : undefined;
  // Any route that reads a body can refuse an oversized one, and one that is not JSON.
  const statuses = [...new Set([...r.errors, ...(r.body ? [413, 415] : [])])].sort();
  const errorResponses = Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: ERROR_DESCRIPTIONS[status] ?? 'Error.',
        content: { 'application/json': { schema: face.dialect.schema } },
      },
    ]),
  );
  return {
    operationId: r.operationId,
    summary: r.summary,
    ...(r.description && { description: r.description }),
    tags: [face.name],
    // `{}` among the alternatives: the face also answers without credentials (PARLEY_RAG_OPEN_AS).
    security: open ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [] }],
    requestParams: {
      ...(r.params && { path: r.params }),
      ...(r.query && { query: r.query }),
      ...(header && { header }),
    },
    ...(r.body && {
      requestBody: {
        required: !r.bodyOptional,
        content: { 'application/json': { schema: r.body } },
      },
    }),
    responses: {
      [String(r.success.status)]: {
        description: r.success.description,
        ...(r.success.schema && { content: { 'application/json': { schema: r.success.schema } } }),
        ...(r.success.schema &&
          r.success.status < 300 && {
            headers: z.object({
              etag: z
                .string()
                .optional()
                .meta({ description: 'The conversation’s version, for If-Match.' }),
            }),
          }),
      },
      ...errorResponses,
    },
  };
}

/** Routes beside the faces (export and import), with their own tag. */
export interface ExtraOperations {
  tag: { name: string; description: string };
  paths: ZodOpenApiPathsObject;
}

/** `openFaces`: the faces this server serves without credentials too. */
export function buildOpenApiDocument(
  faces: Face[],
  version: string,
  openFaces: ReadonlySet<string> = new Set(),
  extra?: ExtraOperations,
) {
  const paths: ZodOpenApiPathsObject = { ...extra?.paths };
  for (const face of faces) {
    for (const r of face.routes) {
      paths[r.path] = {
        ...paths[r.path],
        [r.method]: operation(face, r, openFaces.has(face.name)),
      };
    }
  }
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: 'Parley REST compatibility API',
      version,
      description:
        'Parley answers the documented conversation APIs of several vendors, so an existing client ' +
        'works unchanged. Every face reads and writes the same conversations; ids are one 128-bit ' +
        'value rendered in each vendor’s format.',
    },
    servers: [{ url: '/', description: 'This server' }],
    tags: [
      ...faces.map((face) => ({ name: face.name, description: face.description })),
      ...(extra ? [extra.tag] : []),
    ],
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description: 'An organization API key (`pnpm parley keys create`) or a session JWT.',
        },
      },
    },
    paths,
  });
}
