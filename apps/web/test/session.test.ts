/**
 * Who is signed in, and what a page shows before it knows, in Debian's Chromium against the real
 * production server: signing in with a wrong and a right key, the demo, signing out (nothing of
 * that user stays for the next one), a conversation's address opened directly, and the server
 * going away and coming back.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext, PAGE_TIMEOUT, shot, signIn, titleOf } from './app-page.ts';
import { startStack, waitFor, type Stack } from './browser.ts';

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

const sessionCookie = async (context: BrowserContext) =>
  (await context.cookies()).find((c) => c.name === 'parley_session');

describe('signing in and out', () => {
  it('refuses a wrong key with a readable message, then signs in with a CLI-minted key', async () => {
    const { context, page } = await newContext(stack);
    try {
      await page.goto(stack.server.url);
      await page.getByLabel('API key').fill('pk_not-a-real-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      const refused = page.getByText('That API key was not accepted');
      await refused.waitFor();
      // The message is about the key typed: changing the key takes it away.
      await page.getByLabel('API key').pressSequentially('x');
      await refused.waitFor({ state: 'detached' });

      await page.getByLabel('API key').fill(stack.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'New chat' }).waitFor();
      await page.getByText('@ acme').waitFor();
      await page.getByText('No conversations yet').waitFor();
      expect(await page.getByRole('link', { name: 'API docs' }).getAttribute('href')).toBe('/docs');
      // The session is an httpOnly cookie: nothing for page scripts to read or steal.
      expect(await sessionCookie(context)).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(await page.evaluate(() => document.cookie)).toBe('');
      await waitFor('live updates', () => page.getByText('Live', { exact: true }).isVisible());
    } finally {
      await context.close();
    }
  });

  it('signing out shows the sign-in screen and leaves nothing of that user for the next (the demo)', async () => {
    const { context, page } = await newContext(stack);
    try {
      await signIn(page, stack);
      const mine = await stack.api('mutation', 'conversation.create', { title: 'Alice only' });
      await titleOf(page, mine.id).waitFor();

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
      expect(await sessionCookie(context)).toBeUndefined();
      const status = await page.evaluate(
        async () => (await fetch('/trpc/conversation.list')).status,
      );
      expect(status).toBe(401);

      // Same document, no reload: from now on, note whether the previous user's data ever shows.
      await page.evaluate((title) => {
        const w = window as unknown as { sawPrevious: boolean };
        w.sawPrevious = document.body.textContent.includes(title);
        new MutationObserver(() => {
          if (document.body.textContent.includes(title)) w.sawPrevious = true;
        }).observe(document.body, { childList: true, subtree: true, characterData: true });
      }, 'Alice only');
      await page.getByRole('button', { name: 'Try the demo' }).click();
      await page.getByText('Demo visitor').waitFor();
      await page.getByText('Sourdough troubleshooting').waitFor();
      // Connected: the page has refetched all it shows, so a leftover would have shown by now.
      await waitFor('live updates', () => page.getByText('Live', { exact: true }).isVisible());
      await shot(page, 'demo');
      expect(
        await page.evaluate(() => (window as unknown as { sawPrevious: boolean }).sawPrevious),
      ).toBe(false);

      // Signing out of the demo says what goes with it, and how long the server keeps it.
      await page.getByRole('button', { name: 'Sign out' }).click();
      const warning = page.getByRole('alertdialog');
      await warning.waitFor();
      expect(await warning.innerText()).toContain('its conversations go with it');
      expect(await warning.innerText()).toContain('removed 24 hours after they arrive');
      await shot(page, 'demo-sign-out');
      await warning.getByRole('button', { name: 'Stay' }).click();
      await warning.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('button', { name: 'Sign out and discard' }).click();
      await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
      expect(await sessionCookie(context)).toBeUndefined();
    } finally {
      await context.close();
    }
  });
});

describe('addresses and an unreachable server', () => {
  let context: BrowserContext;

  beforeAll(async () => {
    let page: Page;
    ({ context, page } = await newContext(stack));
    await signIn(page, stack);
    await page.close();
  });

  afterAll(async () => {
    await context?.close().catch(() => undefined);
  });

  /** Opens a conversation's address directly in a new page of the signed-in context. */
  async function openDirectly(id: string) {
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT);
    const response = await page.goto(`${stack.server.url}/c/${id}`);
    return { page, response };
  }

  it("a conversation's address opened directly gets the app, showing that conversation", async () => {
    const c = await stack.api('mutation', 'conversation.create', { title: 'Linked directly' });
    await stack.api('mutation', 'message.append', {
      conversationId: c.id,
      role: 'user',
      content: 'Reached by its address',
    });
    const { page, response } = await openDirectly(c.id);
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-type']).toMatch(/^text\/html/);
    await page.getByRole('heading', { name: 'Linked directly' }).waitFor();
    await page.getByText('Reached by its address').waitFor();
    await page.close();
  });

  it('the server down: the list says it could not be reached, and Try again works once it is back', async () => {
    const c = await stack.api('mutation', 'conversation.create', { title: 'Still here' });
    const page = await context.newPage();
    page.setDefaultTimeout(PAGE_TIMEOUT);
    // This page's live stream may not connect: a connection refetches all the page shows, the
    // list included, and would hide a Try again that does nothing (seen: it passed then).
    await page.route('**/trpc/conversation.changes**', (route) => route.abort());
    // The list's first read (batched with the conversation's) is held until the server is down:
    // it then fails as a browser sees it.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let arrived = () => {};
    const listAsked = new Promise<void>((resolve) => (arrived = resolve));
    await page.route('**/trpc/**conversation.list**', async (route) => {
      arrived();
      await held;
      await route.continue().catch(() => undefined);
    });
    await page.goto(`${stack.server.url}/c/${c.id}`);
    await listAsked;
    await stack.stopServer();
    release();
    const problem = page
      .locator('.sidebar')
      .getByRole('alert')
      .filter({ hasText: 'could not be reached' });
    await problem.waitFor(); // after the list query's retries
    expect(await problem.innerText()).toContain(
      'Could not load your conversations: the server could not be reached.',
    );
    await shot(page, 'unreachable');

    await stack.startServer(); // same port, same data directory
    await problem.getByRole('button', { name: 'Try again' }).click();
    await titleOf(page, c.id).waitFor();
    expect(await problem.count()).toBe(0);
    await page.close();
  });
});
