/**
 * The two panes in Debian's Chromium against the real production server (built app, real SQLite
 * database in a fresh directory): New chat and its first message, the sidebar (grouped by date,
 * reordered live, the open one marked, paging), delete with its undo window, a conversation's
 * page (newest messages first in view, older ones loaded upward, Markdown rendered safely, Copy,
 * Delete, the full title), and a 375 px window with the list in a drawer.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createViaApi,
  firstRowTitle,
  hasFocus,
  infoNotices,
  messageBox,
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

const heading = (p: Page = page) => p.locator('main h1');

describe('conversations', () => {
  it('New chat: the first message creates the conversation, shown at once; its title arrives live', async () => {
    const older = await createViaApi(stack, page, 'An older one');
    await titleOf(page, older.id).click();
    await heading().getByText('An older one').waitFor();
    // Ctrl+Shift+O from anywhere: an empty conversation, the message box focused.
    await page.keyboard.press('Control+Shift+O');
    await heading().getByText('New chat').waitFor();
    await waitFor('the focus in the message box', () => hasFocus(messageBox(page)));
    expect(new URL(page.url()).pathname).toBe('/');
    await page.getByText('Parley stores conversations; it does not answer them').first().waitFor();

    await page.keyboard.type('Plan a trip to Lisbon');
    const started = Date.now();
    await page.keyboard.press('Control+Enter');
    await page.locator('.message').getByText('Plan a trip to Lisbon').waitFor();
    console.log(`first message shown ${Date.now() - started} ms after sending`);
    await waitFor('the address of the new conversation', () =>
      /^\/c\/[\w-]+$/.test(new URL(page.url()).pathname),
    );
    const id = new URL(page.url()).pathname.split('/')[2]!;
    // Where the work continues: the box, emptied.
    await waitFor('the focus in the message box', () => hasFocus(messageBox(page)));
    expect(await messageBox(page).inputValue()).toBe('');
    // The server names it from its first message; the title shows live, first in the list, marked.
    await waitFor(
      'the generated title',
      async () => (await heading().innerText()) === 'Plan a trip to Lisbon',
    );
    await waitFor(
      'the row titled, first',
      async () => (await firstRowTitle(page).innerText()) === 'Plan a trip to Lisbon',
    );
    expect(await titleOf(page, id).getAttribute('aria-current')).toBe('page');
    expect(await titleOf(page, older.id).getAttribute('aria-current')).toBeNull();
    await waitFor(
      'the tab title',
      async () => (await page.title()) === 'Plan a trip to Lisbon · Parley',
    );
    expect(await page.locator('.sidebar section[aria-label="Today"] h3').innerText()).toBe('Today');
    const stored = await stack.api('query', 'message.list', { conversationId: id });
    expect(stored.items.map((m: { content: string }) => m.content)).toEqual([
      'Plan a trip to Lisbon',
    ]);
    await shot(page, 'new-chat-sent');
  });

  it('a message or a new title moves a conversation to the top, here or elsewhere', async () => {
    const a = await createViaApi(stack, page, 'Moves up by a message');
    const b = await createViaApi(stack, page, 'Moves up by a title');
    await createViaApi(stack, page, 'Newest for now');
    await stack.api('mutation', 'message.append', {
      conversationId: a.id,
      role: 'user',
      content: 'A message from elsewhere',
    });
    await waitFor('the first row', async () => (await firstRowTitle(page).innerText()) === a.title);
    await stack.api('mutation', 'conversation.rename', { id: b.id, title: 'Renamed elsewhere' });
    await waitFor(
      'the renamed row first',
      async () => (await firstRowTitle(page).innerText()) === 'Renamed elsewhere',
    );
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

  it('opens a conversation, shows its messages, and appends one, shown at once', async () => {
    const c = await createViaApi(stack, page, 'With messages');
    await stack.api('mutation', 'message.append', {
      conversationId: c.id,
      role: 'user',
      content: 'First message',
    });
    await titleOf(page, c.id).click();
    await heading().getByText('With messages').waitFor();
    await page.locator('.message').getByText('First message').waitFor();
    // Held at the server's door: the message shows before the server has answered.
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    await page.route('**/trpc/message.append**', async (route) => {
      await held;
      await route.continue().catch(() => undefined);
    });
    try {
      await messageBox(page).fill('Second message, from the page');
      await page.getByRole('button', { name: 'Send' }).click();
      await page
        .locator('.message[aria-busy="true"]')
        .getByText('Second message, from the page')
        .waitFor();
      expect(await messageBox(page).inputValue()).toBe('');
    } finally {
      release();
      await page.unrouteAll();
    }
    await page
      .locator('.message[aria-busy="false"]')
      .getByText('Second message, from the page')
      .waitFor();
    await page.locator('.detail-title .meta').getByText('2 messages', { exact: false }).waitFor();
    await rowOf(page, c.id).getByText('2 messages', { exact: false }).waitFor();
    const stored = (await stack.api('query', 'message.list', { conversationId: c.id })) as {
      items: { content: string }[];
    };
    expect(stored.items.map((m) => m.content)).toEqual([
      'First message',
      'Second message, from the page',
    ]);
  });

  it('opens at the newest messages and loads older ones upward, keeping its place', async () => {
    const c = await createViaApi(stack, page, 'A long history');
    for (let i = 1; i <= 120; i++) {
      await stack.api('mutation', 'message.append', {
        conversationId: c.id,
        role: i % 2 ? 'user' : 'assistant',
        content: `Message number ${i}`,
      });
    }
    await titleOf(page, c.id).click();
    const last = page.locator('.message').filter({ hasText: /^.*Message number 120$/ });
    await last.waitFor();
    expect(await last.isVisible()).toBe(true);
    const inView = (text: string) =>
      page.evaluate((t) => {
        const scroller = document.querySelector('.messages-scroll')!.getBoundingClientRect();
        const item = [...document.querySelectorAll('.message')].find((m) =>
          m.textContent?.endsWith(t),
        );
        const r = item?.getBoundingClientRect();
        return !!r && r.bottom > scroller.top && r.top < scroller.bottom;
      }, text);
    await waitFor('the newest message in view', () => inView('Message number 120'));
    expect(await page.locator('.message').count()).toBe(50); // one page, the newest
    // To the top: the page before comes in above, and what was at the top stays in view.
    await page.locator('.messages-scroll').evaluate((el) => el.scrollTo({ top: 0 }));
    await waitFor('the older page', async () => (await page.locator('.message').count()) === 100);
    expect(await inView('Message number 71')).toBe(true);
    expect(await inView('Message number 120')).toBe(false);
    // By keyboard: the button at the top loads the rest.
    await page.getByRole('button', { name: 'Load older messages' }).focus();
    await page.keyboard.press('Enter');
    await waitFor('the oldest page', async () => (await page.locator('.message').count()) === 120);
    const texts = await page.locator('.message .message-content').allInnerTexts();
    expect(texts[0]).toBe('Message number 1');
    expect(texts.at(-1)).toBe('Message number 120');
  });

  it('renders Markdown safely: no raw HTML, no script, only safe links opening apart; Copy copies', async () => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: stack.server.url,
    });
    const c = await createViaApi(stack, page, 'Markdown');
    const content = [
      '**bold** and `code`',
      '',
      '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> <b>raw</b>',
      '',
      '[safe](https://example.com/a) [mail](mailto:a@example.com) [bad](javascript:window.pwned=3) [data](data:text/html,hi)',
      '',
      '![picture](https://example.com/p.png)',
    ].join('\n');
    await stack.api('mutation', 'message.append', {
      conversationId: c.id,
      role: 'assistant',
      content,
    });
    await titleOf(page, c.id).click();
    const message = page.locator('.message').first();
    await message.locator('strong').getByText('bold').waitFor();
    expect(await message.locator('code').innerText()).toBe('code');
    expect(await message.locator('script, img, b, iframe').count()).toBe(0);
    const links = await message.locator('a').evaluateAll((as) =>
      as.map((a) => ({
        text: a.textContent,
        href: a.getAttribute('href'),
        target: a.getAttribute('target'),
        rel: a.getAttribute('rel'),
      })),
    );
    const safe = { target: '_blank', rel: 'noopener noreferrer' };
    expect(links).toEqual([
      { text: 'safe', href: 'https://example.com/a', ...safe },
      { text: 'mail', href: 'mailto:a@example.com', ...safe },
      { text: 'picture', href: 'https://example.com/p.png', ...safe },
    ]);
    expect(await message.getByText('bad').count()).toBe(1); // the text stays, without a link
    expect(
      await page.evaluate(() => (window as unknown as { pwned?: number }).pwned),
    ).toBeUndefined();

    await message.getByRole('button', { name: 'Copy message' }).click();
    await message.getByRole('button', { name: 'Copied message' }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(content);
  });

  it('Delete on the conversation page: back to New chat, with Undo', async () => {
    const c = await createViaApi(stack, page, 'Deleted from its own page');
    await titleOf(page, c.id).click();
    await heading().getByText('Deleted from its own page').waitFor();
    await page.locator('.detail-title').getByRole('button', { name: 'Delete' }).click();
    await heading().getByText('New chat').waitFor();
    expect(await rowOf(page, c.id).count()).toBe(0);
    await infoNotices(page).getByRole('button', { name: 'Undo' }).click();
    await titleOf(page, c.id).waitFor();
    expect(await stack.api('query', 'conversation.get', { id: c.id })).toMatchObject({
      title: 'Deleted from its own page',
    });
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
  });
});

describe('narrow window', () => {
  it('at 375 px the list is a drawer; nothing scrolls sideways; a refused title’s reason covers nothing', async () => {
    const p = await context.newPage(); // same signed-in session
    p.setDefaultTimeout(PAGE_TIMEOUT);
    try {
      await p.setViewportSize({ width: 375, height: 740 });
      await p.goto(stack.server.url);
      await waitForLive(p);
      const noSideScroll = () =>
        p.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
      expect(await noSideScroll()).toBe(true);
      expect(await firstRowTitle(p).isVisible()).toBe(false); // the drawer is closed
      const toggle = p.getByRole('button', { name: 'Conversations' });
      await toggle.click();
      await firstRowTitle(p).waitFor();
      expect(await toggle.getAttribute('aria-expanded')).toBe('true');
      expect(await noSideScroll()).toBe(true);
      await shot(p, 'narrow-list');
      // Escape closes it, and the focus goes back to its button.
      await firstRowTitle(p).focus();
      await p.keyboard.press('Escape');
      await firstRowTitle(p).waitFor({ state: 'hidden' });
      expect(await hasFocus(toggle)).toBe(true);

      const c = await stack.api('mutation', 'conversation.create', {
        title:
          'A-very-long-title-without-any-spaces-that-could-push-the-layout-sideways-0123456789',
      });
      await toggle.click();
      await titleOf(p, c.id).waitFor();
      expect(await noSideScroll()).toBe(true);
      await rowOf(p, c.id)
        .getByRole('button', { name: /^Rename/ })
        .click();
      await rowOf(p, c.id).getByRole('textbox').fill('x'.repeat(101));
      const reason = rowOf(p, c.id).getByText('Title must be at most 100 characters.');
      await reason.waitFor();
      // The reason takes a line of its own: the next row starts below it.
      const next = p.locator(`li.row[data-id="${c.id}"] + li`);
      const [r, n] = [await reason.boundingBox(), await next.boundingBox()];
      expect(r!.y + r!.height).toBeLessThanOrEqual(n!.y);
      expect(await noSideScroll()).toBe(true);
      await shot(p, 'narrow-rename');
      await rowOf(p, c.id).getByRole('textbox').press('Escape');

      // Opening a conversation closes the drawer.
      await titleOf(p, c.id).click();
      await p.getByRole('button', { name: 'Send' }).waitFor();
      await firstRowTitle(p).waitFor({ state: 'hidden' });
      // The full title, wrapped, never cut.
      const h1 = p.locator('main h1');
      expect(await h1.innerText()).toBe(c.title);
      expect(await h1.evaluate((el) => el.scrollWidth <= el.clientWidth)).toBe(true);
      expect(await noSideScroll()).toBe(true);
      await shot(p, 'narrow-detail');
    } finally {
      await p.close();
    }
  });
});
