/**
 * What the harness itself asks a target, outside the load: one request of a scenario with its
 * answer checked (before any load, since during the load only the status is counted), and the
 * keyset cursors the list scenario pages through, collected by walking the list.
 */
import { field, headersFor, trpcInput, type Scenario, type Subject } from './scenarios.ts';

/** Sends one request of the scenario and says what is wrong with its answer, or null. */
export async function checkOnce(
  url: string,
  scenario: Scenario,
  subject: Subject,
): Promise<string | null> {
  const request = scenario.next();
  const response = await fetch(`${url}${request.path}`, {
    method: request.method,
    headers: headersFor(subject, scenario),
    body: request.body ?? null,
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (response.status !== scenario.expect.status) {
    return `${scenario.id}: ${request.method} ${request.path} answered ${response.status}, not ${scenario.expect.status}: ${text.slice(0, 300)}`;
  }
  if (!scenario.expect.body(body, request)) {
    return `${scenario.id}: ${request.method} ${request.path} answered an unexpected body: ${text.slice(0, 300)}`;
  }
  return null;
}

/**
 * Keyset cursors of list pages at many depths: walks conversation.list 100 at a time (up to
 * `maxPages` pages) and keeps every cursor but the last (whose page may be short).
 */
export async function collectCursors(
  url: string,
  subject: Subject,
  maxPages: number,
): Promise<string[]> {
  const cursors = [''];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const input: { limit: number; cursor?: string } = cursor
      ? { limit: 100, cursor }
      : { limit: 100 };
    const response = await fetch(`${url}/trpc/conversation.list?input=${trpcInput(input)}`, {
      headers: headersFor(subject),
    });
    if (!response.ok)
      throw new Error(`conversation.list answered ${response.status}: ${await response.text()}`);
    const body: unknown = await response.json();
    const next = field(body, 'result', 'data', 'nextCursor');
    if (typeof next !== 'string') break;
    cursor = next;
    cursors.push(next);
  }
  return cursors.length > 2 ? cursors.slice(0, -1) : cursors;
}
