/** What to tell a person when the server refuses something, in words they can act on. */
import { TRPCClientError } from '@trpc/client';

interface ErrorData {
  code?: string;
  zodError?: { fieldErrors?: Record<string, string[] | undefined>; formErrors?: string[] } | null;
}

export function errorCode(error: unknown): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = (error as TRPCClientError<never>).data as ErrorData | undefined;
  return data?.code;
}

function zodMessage(error: unknown, field: string): string | undefined {
  if (!(error instanceof TRPCClientError)) return undefined;
  const data = (error as TRPCClientError<never>).data as ErrorData | undefined;
  return data?.zodError?.fieldErrors?.[field]?.[0] ?? data?.zodError?.formErrors?.[0];
}

/** True when the server could not be reached at all (offline, server down, proxy error). */
function isNetworkError(error: unknown): boolean {
  return error instanceof TRPCClientError && !errorCode(error);
}

const quote = (s: string) => `“${s}”`;

/**
 * Why a rename did not happen. `attempted` is the title the person typed; `current` is the
 * conversation's title now, when known (after a conflict: the one someone else set).
 */
export function renameErrorMessage(error: unknown, attempted: string, current?: string): string {
  const notSaved = `Your title ${quote(attempted)} was not saved.`;
  switch (errorCode(error)) {
    case 'BAD_REQUEST':
      return `Not renamed: ${zodMessage(error, 'title') ?? 'the server refused this title.'}`;
    case 'CONFLICT':
      return current
        ? `Not renamed: it was renamed to ${quote(current)} elsewhere while you were editing. ${notSaved}`
        : `Not renamed: it was changed elsewhere while you were editing. ${notSaved}`;
    case 'NOT_FOUND':
      return `Not renamed: this conversation no longer exists (it was deleted elsewhere).`;
    case 'UNAUTHORIZED':
      return `Not renamed: your session has ended. Sign in again. ${notSaved}`;
    case 'TOO_MANY_REQUESTS':
      return `Not renamed: too many requests. Wait a moment and try again.`;
  }
  if (isNetworkError(error)) return `Not renamed: the server could not be reached. ${notSaved}`;
  return `Not renamed: something went wrong on the server. ${notSaved}`;
}

/** The same for any other action ("create", "delete", "send", "load"). */
export function actionErrorMessage(action: string, error: unknown): string {
  switch (errorCode(error)) {
    case 'BAD_REQUEST':
      return `Could not ${action}: ${zodMessage(error, 'title') ?? zodMessage(error, 'content') ?? 'the server refused the input.'}`;
    case 'NOT_FOUND':
      return `Could not ${action}: the conversation no longer exists.`;
    case 'UNAUTHORIZED':
      return `Could not ${action}: your session has ended. Sign in again.`;
    case 'TOO_MANY_REQUESTS':
      return `Could not ${action}: too many requests. Wait a moment and try again.`;
  }
  if (isNetworkError(error)) return `Could not ${action}: the server could not be reached.`;
  return `Could not ${action}: something went wrong on the server.`;
}
