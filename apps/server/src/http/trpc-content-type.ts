import type { RequestHandler } from 'express';
import { sendTrpcError } from './trpc-errors.ts';

/**
 * Every procedure takes JSON. tRPC would also read form data and octet streams (an octet stream
 * even reaches an input schema as an empty object), and it answers an unsupported type with a
 * JSON body labelled text/plain; refuse anything but JSON here, in tRPC's own error shape.
 */
export const jsonOnlyForTrpc: RequestHandler = (req, res, next) => {
  const type = req.headers['content-type'];
  if (req.method !== 'POST' || (type !== undefined && /^application\/json\s*(;|$)/i.test(type)))
    return next();
  sendTrpcError(
    res,
    'UNSUPPORTED_MEDIA_TYPE',
    `Unsupported content-type "${(type ?? 'none').split(';')[0]}": send application/json`,
    req.path.replace(/^\//, ''),
  );
};
