/**
 * A REST route described once: its vendor request schemas, its success response and the errors it
 * documents, and a handler that translates to the router. Both the Express route (mount.ts) and
 * the OpenAPI document (openapi.ts) are derived from this description.
 */
import type { createCaller, Principal } from '@parley/api';
import type { Request } from 'express';
import type { z } from 'zod';
import type { ErrorDialect } from './dialect.ts';

export type Caller = ReturnType<typeof createCaller>;

type AnyObject = z.ZodObject;

export interface HandlerContext<P extends AnyObject, Q extends AnyObject, B extends z.ZodType> {
  params: z.output<P>;
  query: z.output<Q>;
  body: z.output<B>;
  /** The router, as the authenticated caller. */
  api: Caller;
  principal: Principal;
  /** The router as another user of the caller's organization (Dify's `user`). */
  as: (userName: string) => Promise<Caller>;
  /** From If-Match: the version a rename requires, if any. */
  expectedVersion: number | undefined;
  /** From the Idempotency-Key header, if any. */
  idempotencyKey: string | undefined;
  req: Request;
}

export interface HandlerResult {
  /** Omitted for 204. */
  body?: unknown;
  /** The conversation's version, sent as its ETag. */
  version?: number;
}

export interface Route<
  P extends AnyObject = AnyObject,
  Q extends AnyObject = AnyObject,
  B extends z.ZodType = z.ZodType,
> {
  method: 'get' | 'post' | 'patch' | 'delete';
  /** OpenAPI-style path, e.g. /api/florent/conversations/{id}. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  params?: P;
  query?: Q;
  body?: B;
  /** A missing body reads as {} (vendors whose create takes an optional body). */
  bodyOptional?: boolean;
  /** Documents and honours If-Match (renames) or Idempotency-Key (creates). */
  precondition?: 'if-match' | 'idempotency-key';
  success: { status: number; description: string; schema?: z.ZodType };
  /** Error statuses this route documents (all rendered by the face's dialect). */
  errors: number[];
  handler(ctx: HandlerContext<P, Q, B>): Promise<HandlerResult>;
}

/** Infers a route's types from its schemas. */
export function route<P extends AnyObject, Q extends AnyObject, B extends z.ZodType>(
  definition: Route<P, Q, B>,
): Route<P, Q, B> {
  return definition;
}

export interface Face {
  /** Short name, used as the OpenAPI tag. */
  name: string;
  description: string;
  dialect: ErrorDialect;
  // Each route keeps its own schemas' types inside; here they are treated uniformly (the handler
  // is a method, so its parameter type is compared bivariantly).
  routes: Route[];
  /**
   * The path the face owns among all faces (faces/index.ts derives it from the routes): inside
   * it, an unknown path answers in the face's shape.
   */
  prefix?: string;
}
