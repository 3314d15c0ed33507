/** The Express plumbing the two Express baselines share, answering as Parley's Florent face. */
import express, { type ErrorRequestHandler, type RequestHandler, type Response } from 'express';
import { MALFORMED_JSON, NOT_FOUND, TOO_LARGE, type FlorentReply } from './rules.ts';

export function reply(res: Response, { status, body }: FlorentReply): void {
  res.status(status).json(body);
}

/** Parley's REST body parser: JSON only, 64 KB. */
export const jsonBody = express.json({
  limit: '64kb',
  type: ['application/json', 'application/*+json'],
});

/** Body-parser failures (too large, malformed JSON) in Florent's shape. */
export const bodyParserErrors: ErrorRequestHandler = (error: unknown, _req, res, next) => {
  const type = typeof error === 'object' && error !== null && 'type' in error ? error.type : null;
  if (type === 'entity.too.large') reply(res, TOO_LARGE);
  else if (type === 'entity.parse.failed') reply(res, MALFORMED_JSON);
  else next(error);
};

export const unknownPath: RequestHandler = (_req, res) => reply(res, NOT_FOUND);
