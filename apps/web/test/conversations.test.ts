/**
 * The list and a conversation's page in Debian's Chromium against the real production server
 * (built app, real SQLite database in a fresh directory): create, delete with its undo window,
 * paging, messages, and a 375 px window.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createViaApi,
  firstRowTitle,
  PAGE_TIMEOUT,
  recordMutations,
  rowOf,
  shot,
  startSignedIn,
  titleOf,
  waitForLive,
} from './app-page.ts';
import { waitFor, type Stack } from './browser.ts';

let stack: Stack;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  ({ stack, context, page } = await startSignedIn());
});

afterAll(() => stack?.close()); // its browser's contexts with it

describe('conversations', () => {
  it('creates one: it appears at the top at once', async () => {
    await createViaApi(stack, page, 'An older one');
    await page.getByRole('textbox', { name: 'New conversation' }).fill('Trip to Lisbon');
    const started = Date.now();
    await page.getByRole('textbox', { name: 'New conversation' }).press('Enter');
    await waitFor(
      'the new row at the top',
      async () => (await firstRowTitle(page).innerText()) === 'Trip to Lisbon',
    );
    console.log(`created row shown at the top after ${Date.now() - started} ms`);
    expect(await page.getByRole('textbox', { name: 'New conversation' }).inputValue()).toBe('');
    await shot(page, 'list');
  });

  it('deletes with an undo window: an undone delete is never sent, the other one is when its window ends', async () => {
    const deletes = recordMutations(page, 'conversation.delete');
    const kept = await createViaApi(stack, page, 'Delete me, then undo');
    const gone = await createViaApi(stack, page, 'Delete me');
    await rowOf(page, kept.id)
      .getByRole('button', { name: /^Delete/ })
      .click();
    await rowOf(page, kept.id).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Undo' }).click();
    await titleOf(page, kept.id).waitFor();

    // The second delete's window opens after the first one's and is as long: once the second
    // delete has reached the server, the first window has certainly ended too.
    const deleted = page.waitForResponse((r) => r.url().includes('/trpc/conversation.delete'), {
      timeout: 60_000,
    });
    await rowOf(page, gone.id)
      .getByRole('button', { name: /^Delete/ })
      .click();
    await rowOf(page, gone.id).waitFor({ state: 'detached' });
    expect((await deleted).status()).toBe(200);
    expect(deletes).toEqual([{ id: gone.id }]);
    await expect(stack.api('query', 'conversation.get', { id: gone.id })).rejects.toThrow(
      'conversation.get: 404',
    );
    expect(await stack.api('query', 'conversation.get', { id: kept.id })).toMatchObject({
      title: 'Delete me, then undo',
    });
    expect(await titleOf(page, kept.id).isVisible()).toBe(true);
    expect(await rowOf(page, gone.id).count()).toBe(0);
  });

  it('pages: "Load more" brings the next page, even while the live stream connects', async () => {
    const existing = await stack.api('query', 'conversation.list', { limit: 100 });
    for (let i = 1; i <= 22; i++) {
      await stack.api('mutation', 'conversation.create', { title: `Bulk ${i}` });
    }
    const total = existing.items.length + 22;
    // The stream's connection re-reads the list. It is held back until the next page is on its
    // way, and that page until the stream is live: the re-read lands while the page loads.
    let releaseStream = () => {};
    const streamHeld = new Promise<void>((resolve) => (releaseStream = resolve));
    await page.route('**/trpc/conversation.changes**', async (route) => {
      await streamHeld;
      await route.continue().catch(() => undefined);
    });
    let heldPage = false;
    await page.route('**/trpc/conversation.list**', async (route) => {
      if (!heldPage && route.request().url().includes('cursor')) {
        heldPage = true;
        releaseStream();
        await waitForLive(page);
      }
      await route.continue().catch(() => undefined); // the page may have cancelled it meanwhile
    });
    try {
      await page.reload();
      await firstRowTitle(page).waitFor();
      expect(await page.locator('.conversations > li').count()).toBe(20);
      expect(await firstRowTitle(page).innerText()).toBe('Bulk 22'); // newest first
      await page.getByRole('button', { name: 'Load more' }).click();
      await waitFor(
        'the second page',
        async () => (await page.locator('.conversations > li').count()) === Math.min(total, 40),
      );
    } finally {
      await page.unrouteAll();
    }
    expect(heldPage).toBe(true);
    const titles = await page.locator('.conversations > li .title').allInnerTexts();
    expect(new Set(titles).size).toBe(titles.length); // no row twice
    expect(titles.indexOf('Bulk 1')).toBeGreaterThan(titles.indexOf('Bulk 2'));
    // The focus moved to the first row of the new page.
    await waitFor(
      'the focus on the first new row',
      async () => (await page.evaluate(() => document.activeElement?.textContent)) === titles[20],
    );
  });

  it('opens a conversation, shows its messages, and appends one', async () => {
    const c = await createViaApi(stack, page, 'With messages');
    await stack.api('mutation', 'message.append', {
      conversationId: c.id,
      role: 'user',
      content: 'First message',
    });
    await titleOf(page, c.id).click();
    await page.getByRole('heading', { name: 'With messages' }).waitFor();
    await page.getByText('First message').waitFor();
    await page
      .getByRole('textbox', { name: 'Message', exact: true })
      .fill('Second message, from the page');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Second message, from the page').waitFor();
    await page.getByText('2 messages', { exact: false }).waitFor();
    const stored = (await stack.api('query', 'message.list', { conversationId: c.id })) as {
      items: { content: string }[];
    };
    expect(stored.items.map((m) => m.content)).toEqual([
      'First message',
      'Second message, from the page',
    ]);
    await page.getByRole('link', { name: '← All conversations' }).click();
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
  });

  it('shows a conversation’s metadata, and a change made elsewhere live', async () => {
    const c = await createViaApi(stack, page, 'With metadata');
    await stack.api('mutation', 'conversation.setMetadata', {
      id: c.id,
      metadata: { project: 'p-42' },
    });
    await titleOf(page, c.id).click();
    await page.getByRole('heading', { name: 'With metadata' }).waitFor();
    const metadata = page.getByRole('definition').filter({ hasText: 'p-42' });
    await metadata.waitFor();
    await stack.api('mutation', 'conversation.setMetadata', {
      id: c.id,
      metadata: { project: 'p-43', tag: 'travel' },
    });
    await page.getByRole('definition').filter({ hasText: 'travel' }).waitFor();
    expect(await page.getByRole('definition').allInnerTexts()).toEqual(['p-43', 'travel']);
    await page.getByRole('link', { name: '← All conversations' }).click();
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
  });
});

describe('narrow window', () => {
  it('at 375 px nothing scrolls sideways: list, rename, detail', async () => {
    const p = await context.newPage(); // same signed-in session
    p.setDefaultTimeout(PAGE_TIMEOUT);
    try {
      await p.setViewportSize({ width: 375, height: 740 });
      await p.goto(stack.server.url);
      await firstRowTitle(p).waitFor();
      const noSideScroll = () =>
        p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      expect(await noSideScroll()).toBe(true);
      await shot(p, 'narrow-list');

      const c = await stack.api('mutation', 'conversation.create', {
        title:
          'A-very-long-title-without-any-spaces-that-could-push-the-layout-sideways-0123456789',
      });
      await titleOf(p, c.id).waitFor();
      expect(await noSideScroll()).toBe(true);
      await rowOf(p, c.id)
        .getByRole('button', { name: /^Rename/ })
        .click();
      await rowOf(p, c.id).getByRole('textbox').fill('x'.repeat(101));
      expect(await noSideScroll()).toBe(true);
      await shot(p, 'narrow-rename');
      await rowOf(p, c.id).getByRole('textbox').press('Escape');

      await titleOf(p, c.id).click();
      await p.getByRole('button', { name: 'Send' }).waitFor();
      expect(await noSideScroll()).toBe(true);
      await shot(p, 'narrow-detail');
    } finally {
      await p.close();
    }
  });
});
