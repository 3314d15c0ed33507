import { TRPCClientError } from '@trpc/client';
import { describe, expect, it } from 'vitest';
import { actionErrorMessage, renameErrorMessage } from './errors.ts';

/** An error as the tRPC client builds it from the server's JSON error body. */
function serverError(code: string, zodError: unknown = null) {
  return TRPCClientError.from({
    error: { message: 'x', code: -32000, data: { code, httpStatus: 400, zodError } },
  });
}

describe('what a person is told when a rename is refused', () => {
  it.each([
    [
      'too long',
      serverError('BAD_REQUEST', {
        fieldErrors: { title: ['Title must be at most 100 characters.'] },
      }),
      'Not renamed: Title must be at most 100 characters.',
    ],
    [
      'blank',
      serverError('BAD_REQUEST', {
        fieldErrors: { title: ['Title must not be empty or only whitespace.'] },
      }),
      'Not renamed: Title must not be empty or only whitespace.',
    ],
    [
      'stale version',
      serverError('CONFLICT'),
      'Not renamed: it was renamed to “Theirs” elsewhere while you were editing. Your title “Mine” was not saved.',
    ],
    [
      'gone',
      serverError('NOT_FOUND'),
      'Not renamed: this conversation no longer exists (it was deleted elsewhere).',
    ],
    [
      'signed out',
      serverError('UNAUTHORIZED'),
      'Not renamed: your session has ended. Sign in again. Your title “Mine” was not saved.',
    ],
    [
      'unreachable',
      new TRPCClientError('Failed to fetch'),
      'Not renamed: the server could not be reached. Your title “Mine” was not saved.',
    ],
  ])('%s', (_name, error, message) => {
    expect(renameErrorMessage(error, 'Mine', 'Theirs')).toBe(message);
  });

  it('a conflict without the current title still says what happened', () => {
    expect(renameErrorMessage(serverError('CONFLICT'), 'Mine')).toContain(
      'changed elsewhere while you were editing',
    );
  });

  it('other actions get the same plain words', () => {
    expect(actionErrorMessage('delete it', serverError('TOO_MANY_REQUESTS'))).toBe(
      'Could not delete it: too many requests. Wait a moment and try again.',
    );
    expect(actionErrorMessage('load more', new Error('boom'))).toBe(
      'Could not load more: something went wrong on the server.',
    );
  });
});
