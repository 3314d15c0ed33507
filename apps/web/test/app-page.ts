/**
 * What the browser test files share about Parley's pages: where rows, titles and notices are, how
 * a person signs in, which calls a page sends, and screenshots into test-results/.
 */
import path from 'node:path';
import type { BrowserContext, Locator, Page } from 'playwright-core';
import { ARTIFACTS, startStack, waitFor, type Stack } from './browser.ts';

/** Playwright's own waits: a bound that only stops a hung test, as waitFor's. */
export const PAGE_TIMEOUT = 20_000;

export const shot = (p: Page, name: string, fullPage = false) =>
  p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
export const rowOf = (p: Page, id: string) => p.locator(`li.row[data-id="${id}"]`);
export const titleOf = (p: Page, id: string) => rowOf(p, id).locator('.title');
export const firstRowTitle = (p: Page) => p.locator('.conversations > li .title').first();
export const alertText = (p: Page) => p.locator('.notices [role="alert"]').innerText();
/** The message box of the open conversation (or of New chat). */
export const messageBox = (p: Page) => p.getByRole('textbox', { name: 'Message', exact: true });
/** The notice bar's polite notices (Deleted …, with Undo). */
export const infoNotices = (p: Page) => p.locator('.notices [role="status"] .notice');
/** Whether the focused element is `locator`'s element. */
export const hasFocus = (locator: Locator) =>
  locator.evaluate((el) => el === document.activeElement);
/** The header's word for the live updates: "Live", "Reconnecting…", … */
export const liveStatus = (p: Page) => p.locator('header .live').innerText();

/** A browser context of its own (its own cookies: signed out) and a page in it. */
export async function newContext(
  stack: Stack,
  viewport = { width: 1280, height: 800 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await stack.browser.newContext({ viewport });
  const page = await context.newPage();
  page.setDefaultTimeout(PAGE_TIMEOUT);
  return { context, page };
}

export const waitForLive = (p: Page) =>
  waitFor('live updates to be on', async () => (await liveStatus(p)) === 'Live');

/** Signs in with the stack's API key, as a person does, and waits for New chat and live updates. */
export async function signIn(p: Page, stack: Stack): Promise<void> {
  await p.goto(stack.server.url);
  await p.getByLabel('API key').fill(stack.key);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await p.getByRole('heading', { name: 'New chat' }).waitFor();
  await waitForLive(p);
}

/** A file's usual fixture: its stack, and a page signed in, in a context of its own. */
export async function startSignedIn(): Promise<{
  stack: Stack;
  context: BrowserContext;
  page: Page;
}> {
  const stack = await startStack();
  const { context, page } = await newContext(stack);
  await signIn(page, stack);
  return { stack, context, page };
}

/** Creates a conversation through the API and waits for the live update to show it in `p`. */
export async function createViaApi(
  stack: Stack,
  p: Page,
  title: string,
): Promise<{ id: string; title: string; version: number }> {
  const c = await stack.api('mutation', 'conversation.create', { title });
  await titleOf(p, c.id).waitFor();
  return c;
}

/**
 * Records the input of every call of the mutation `procedure` that the page sends from now on,
 * alone or batched with others (`POST /trpc/a,b?batch=1`, the inputs keyed "0", "1", … in order).
 */
export function recordMutations(p: Page, procedure: string): unknown[] {
  const inputs: unknown[] = [];
  p.on('request', (request) => {
    const url = new URL(request.url());
    if (request.method() !== 'POST' || !url.pathname.startsWith('/trpc/')) return;
    const names = decodeURIComponent(url.pathname.slice('/trpc/'.length)).split(',');
    const body = request.postDataJSON() as Record<string, unknown>;
    names.forEach((name, i) => {
      if (name === procedure) inputs.push(body[String(i)]);
    });
  });
  return inputs;
}
