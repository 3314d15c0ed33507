/**
 * tRPC's error envelope for requests Parley refuses before the router sees them, built from tRPC's
 * own code tables (JSON-RPC code and HTTP status by code name), so no number is typed here.
 */
import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY, type TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import type { Response } from 'express';

/** Answers with tRPC's error shape; `path` is the procedure's (e.g. conversation.list). */
export function sendTrpcError(
  res: Response,
  code: TRPC_ERROR_CODE_KEY,
  message: string,
  path: string,
): void {
  const httpStatus = getHTTPStatusCodeFromError(new TRPCError({ code, message }));
  res.status(httpStatus).json({
    error: { message, code: TRPC_ERROR_CODES_BY_KEY[code], data: { code, httpStatus, path } },
  });
}
