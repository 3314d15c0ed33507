/**
 * Signing in and out: the server's /auth/session endpoints (apps/server/src/http/session.ts)
 * turn an API key or a demo visit into an httpOnly session cookie that this code never sees.
 */
export interface SessionUser {
  org: string;
  name: string;
  demo: boolean;
}

export interface SessionState {
  user: SessionUser | null;
  /** Whether the server offers "Try the demo". */
  demo: boolean;
  /** With the demo: how long the server keeps a demo visitor and its data. */
  demoTtlHours?: number;
}

export const SESSION_KEY = ['session'] as const;

export class SignInError extends Error {}

function isSessionState(value: unknown): value is SessionState {
  return typeof value === 'object' && value !== null && 'user' in value && 'demo' in value;
}

export async function fetchSession(): Promise<SessionState> {
  const response = await fetch('/auth/session', { headers: { accept: 'application/json' } });
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok || !isSessionState(body)) {
    throw new Error(`The server answered ${response.status}.`);
  }
  return body;
}

export async function signIn(body: { apiKey: string } | { demo: true }): Promise<SessionState> {
  let response: Response;
  try {
    response = await fetch('/auth/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new SignInError('The server could not be reached. Check your connection and try again.');
  }
  const answer: unknown = await response.json().catch(() => null);
  if (response.ok && isSessionState(answer)) return answer;
  if (response.status === 401) {
    throw new SignInError('That API key was not accepted: it is unknown or has been revoked.');
  }
  const message =
    typeof answer === 'object' && answer !== null && 'message' in answer
      ? String(answer.message)
      : `The server answered ${response.status}.`;
  throw new SignInError(message);
}

export async function signOut(): Promise<void> {
  await fetch('/auth/session', { method: 'DELETE' });
}
