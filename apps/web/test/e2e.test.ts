/**
 * The web app end to end: Debian's Chromium against the real production server (built app,
 * real SQLite database in a fresh directory), as a person uses it.
 */
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startStack, waitFor, type Stack } from './browser.ts';

let stack: Stack;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  stack = await startStack();
  context = await stack.browser.newContext({ viewport: { width: 1000, height: 760 } });
  page = await context.newPage();
  page.setDefaultTimeout(10_000);
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await stack?.close();
});

const shot = (p: Page, name: string, fullPage = false) =>
  p.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage });
const rowOf = (p: Page, id: string) => p.locator(`li.row[data-id="${id}"]`);
const titleOf = (p: Page, id: string) => rowOf(p, id).locator('.title');
const firstRowTitle = (p: Page) => p.locator('.conversations > li .title').first();
const alertText = (p: Page) => p.locator('.notices [role="alert"]').innerText();

/** Creates a conversation through the API and waits for the live update to show it. */
async function createViaApi(title: string): Promise<{ id: string; version: number }> {
  const c = await stack.api('mutation', 'conversation.create', { title });
  await titleOf(page, c.id).waitFor({ timeout: 5_000 });
  return c;
}

describe('signing in', () => {
  it('refuses a wrong key with a readable message, then signs in with a CLI-minted key', async () => {
    await page.goto(stack.server.url);
    await page.getByLabel('API key').fill('pk_not-a-real-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That API key was not accepted').waitFor();

    await page.getByLabel('API key').fill(stack.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Conversations' }).waitFor();
    await page.getByText('@ acme').waitFor();
    await page.getByText('No conversations yet').waitFor();
    // The session is an httpOnly cookie: nothing for page scripts to read or steal.
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'parley_session')).toMatchObject({
      httpOnly: true,
      sameSite: 'Lax',
    });
    expect(await page.evaluate(() => document.cookie)).toBe('');
    await waitFor('live updates', () => page.getByText('Live', { exact: true }).isVisible());
  });
});

describe('conversations', () => {
  it('creates one: it appears at the top at once', async () => {
    await createViaApi('An older one');
    await page.getByRole('textbox', { name: 'New conversation' }).fill('Trip to Lisbon');
    const started = Date.now();
    await page.getByRole('textbox', { name: 'New conversation' }).press('Enter');
    await waitFor(
      'the new row at the top',
      async () => (await firstRowTitle(page).innerText()) === 'Trip to Lisbon',
    );
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await page.getByRole('textbox', { name: 'New conversation' }).inputValue()).toBe('');
    await shot(page, 'list');
  });

  it('renames inline with Enter, without moving anything on the page', async () => {
    const c = await createViaApi('Rename me');
    const row = rowOf(page, c.id);
    const next = page.locator(`li.row[data-id="${c.id}"] + li`);
    const before = { row: await row.boundingBox(), next: await next.boundingBox() };

    await row.getByRole('button', { name: /^Rename/ }).click();
    const input = row.getByRole('textbox');
    await waitFor('the input to take the focus', () =>
      input.evaluate((el) => el === document.activeElement),
    );
    await input.fill('Renamed with Enter 👩🏽‍💻');
    await row.getByText('20/100').waitFor(); // graphemes, not UTF-16 units (that would be 26)
    const editing = { row: await row.boundingBox(), next: await next.boundingBox() };
    await input.press('Enter');
    await waitFor(
      'the new title',
      async () => (await titleOf(page, c.id).innerText()) === 'Renamed with Enter 👩🏽‍💻',
    );
    const after = { row: await row.boundingBox(), next: await next.boundingBox() };
    // Same height and position before, during and after: no layout shift.
    expect(editing.row?.height).toBe(before.row?.height);
    expect(after.row).toEqual(before.row);
    expect(editing.next?.y).toBe(before.next?.y);
    expect(after.next?.y).toBe(before.next?.y);
    // Focus goes back to the Rename button; the server has it.
    await waitFor('the focus back on the Rename button', async () =>
      /^Rename “Renamed with Enter/.test(
        (await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))) ?? '',
      ),
    );
    const stored = await stack.api('query', 'conversation.get', { id: c.id });
    expect(stored).toMatchObject({ title: 'Renamed with Enter 👩🏽‍💻', version: 2 });
  });

  it('cancels a rename with Escape: the title and the server stay as they were', async () => {
    const c = await createViaApi('Keep me');
    const row = rowOf(page, c.id);
    await row.getByRole('button', { name: /^Rename/ }).click();
    await row.getByRole('textbox').fill('Not this');
    await row.getByRole('textbox').press('Escape');
    expect(await titleOf(page, c.id).innerText()).toBe('Keep me');
    expect(await row.getByRole('textbox').count()).toBe(0);
    expect(await stack.api('query', 'conversation.get', { id: c.id })).toMatchObject({
      title: 'Keep me',
      version: 1,
    });
  });

  it('counts graphemes as the person types and will not save 101 of them', async () => {
    const c = await createViaApi('Length check');
    const row = rowOf(page, c.id);
    await row.getByRole('button', { name: /^Rename/ }).click();
    const input = row.getByRole('textbox');
    await input.fill('👍🏽'.repeat(100)); // 400 UTF-16 units, 100 characters: allowed
    await row.getByText('100/100').waitFor();
    expect(await row.getByRole('button', { name: 'Save' }).isEnabled()).toBe(true);
    await input.fill('👍🏽'.repeat(101));
    await row.getByText('101/100').waitFor();
    await row.getByText('Title must be at most 100 characters.').waitFor();
    expect(await row.getByRole('button', { name: 'Save' }).isDisabled()).toBe(true);
    await input.press('Enter'); // refused here: the editor stays, nothing is sent
    expect(await input.isVisible()).toBe(true);
    await input.fill('   ');
    await row.getByText('Title must not be empty or only whitespace.').waitFor();
    await input.press('Escape');
    expect(await stack.api('query', 'conversation.get', { id: c.id })).toMatchObject({
      title: 'Length check',
      version: 1,
    });
  });

  it('a rename the server refuses (renamed elsewhere meanwhile) rolls back with a message', async () => {
    const c = await createViaApi('Contested');
    const row = rowOf(page, c.id);
    await row.getByRole('button', { name: /^Rename/ }).click();
    await row.getByRole('textbox').fill('Mine');
    // While the person types, someone renames it through the API: version 1 → 2.
    await stack.api('mutation', 'conversation.rename', {
      id: c.id,
      title: 'Theirs',
      expectedVersion: 1,
    });
    await row.getByRole('textbox').press('Enter');
    await waitFor('the conflict message', async () =>
      (await alertText(page)).includes('renamed to “Theirs” elsewhere'),
    );
    expect(await alertText(page)).toContain('Your title “Mine” was not saved.');
    await waitFor('the rollback', async () => (await titleOf(page, c.id).innerText()) === 'Theirs');
    await shot(page, 'rename-refused');
    expect(await stack.api('query', 'conversation.get', { id: c.id })).toMatchObject({
      title: 'Theirs',
      version: 2,
    });
  });

  it('a rename made through the API appears within 2 seconds, without a reload', async () => {
    const c = await createViaApi('Before the API rename');
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
    const started = Date.now();
    const response = await fetch(`${stack.server.url}/trpc/conversation.rename`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: c.id, title: 'Renamed through the API' }),
    });
    expect(response.status).toBe(200);
    await waitFor(
      'the API rename in the page',
      async () => (await titleOf(page, c.id).innerText()) === 'Renamed through the API',
      2_000,
    );
    const elapsed = Date.now() - started;
    console.log(`API rename visible in the page after ${elapsed} ms`);
    expect(elapsed).toBeLessThan(2_000);
    // Same document: the page was updated in place, not reloaded.
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);
  });

  it('deletes with an undo window', async () => {
    const c = await createViaApi('Delete me');
    await rowOf(page, c.id)
      .getByRole('button', { name: /^Delete/ })
      .click();
    await rowOf(page, c.id).waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Undo' }).click();
    await titleOf(page, c.id).waitFor();
    expect(await stack.api('query', 'conversation.get', { id: c.id })).toMatchObject({
      title: 'Delete me',
    });

    await rowOf(page, c.id)
      .getByRole('button', { name: /^Delete/ })
      .click();
    await waitFor(
      'the delete to reach the server',
      async () => {
        const { status } = await fetch(
          `${stack.server.url}/trpc/conversation.get?input=${encodeURIComponent(JSON.stringify({ id: c.id }))}`,
          { headers: { authorization: `Bearer ${stack.key}` } },
        );
        return status === 404;
      },
      10_000,
    );
    expect(await rowOf(page, c.id).count()).toBe(0);
  });

  it('pages: "Load more" brings the next page', async () => {
    const existing = await stack.api('query', 'conversation.list', { limit: 100 });
    for (let i = 1; i <= 22; i++) {
      await stack.api('mutation', 'conversation.create', { title: `Bulk ${i}` });
    }
    const total = existing.items.length + 22;
    await page.reload();
    await firstRowTitle(page).waitFor();
    expect(await page.locator('.conversations > li').count()).toBe(20);
    expect(await firstRowTitle(page).innerText()).toBe('Bulk 22'); // newest first
    await page.getByRole('button', { name: 'Load more' }).click();
    await waitFor(
      'the second page',
      async () => (await page.locator('.conversations > li').count()) === Math.min(total, 40),
    );
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
    const c = await createViaApi('With messages');
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
});

describe('keyboard only', () => {
  it('signs in, creates, renames (Enter) and cancels (Escape) with Tab, Enter and Escape', async () => {
    const ctx = await stack.browser.newContext({ viewport: { width: 1000, height: 760 } });
    try {
      const p = await ctx.newPage();
      p.setDefaultTimeout(10_000);
      await p.goto(stack.server.url);
      const focused = () =>
        p.evaluate(() => {
          const el = document.activeElement;
          return el?.getAttribute('aria-label') ?? el?.textContent ?? el?.id ?? '';
        });
      /** Presses Tab until the focused element matches (bounded). */
      const tabTo = async (match: RegExp) => {
        for (let i = 0; i < 40; i++) {
          if (match.test(await focused())) return;
          await p.keyboard.press('Tab');
        }
        throw new Error(`Tab never reached ${match}`);
      };

      await p.getByLabel('API key').waitFor();
      // The key field has the focus on arrival.
      await waitFor('the focus in the key field', () =>
        p.getByLabel('API key').evaluate((el) => el === document.activeElement),
      );
      await p.keyboard.type(stack.key);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'Conversations' }).waitFor();

      await p.keyboard.press('Tab'); // into the page: the header, then the form
      const newInput = p.getByRole('textbox', { name: 'New conversation' });
      for (
        let i = 0;
        i < 10 && !(await newInput.evaluate((el) => el === document.activeElement));
        i++
      ) {
        await p.keyboard.press('Tab');
      }
      await p.keyboard.type('Typed without a mouse');
      await p.keyboard.press('Enter');
      await waitFor(
        'the created row',
        async () => (await firstRowTitle(p).innerText()) === 'Typed without a mouse',
      );

      await tabTo(/^Rename “Typed without a mouse”/);
      await p.keyboard.press('Enter');
      await p.keyboard.type(' (renamed)'); // the whole title is selected: typing replaces it
      await p.keyboard.press('Enter');
      await waitFor(
        'the renamed row',
        async () => (await firstRowTitle(p).innerText()) === '(renamed)',
      );
      expect(await focused()).toBe('Rename “(renamed)”');

      await p.keyboard.press('Enter'); // Rename again, then think better of it
      await p.keyboard.type('Never mind');
      await p.keyboard.press('Escape');
      expect(await firstRowTitle(p).innerText()).toBe('(renamed)');
      expect(await focused()).toBe('Rename “(renamed)”');
    } finally {
      await ctx.close();
    }
  });
});

describe('narrow window', () => {
  it('at 375 px nothing scrolls sideways: list, rename, detail', async () => {
    const p = await context.newPage(); // same signed-in session
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

describe('demo and sign-out', () => {
  it('"Try the demo" gives a private account with samples; signing out ends the session', async () => {
    const ctx = await stack.browser.newContext({ viewport: { width: 1000, height: 760 } });
    try {
      const p = await ctx.newPage();
      p.setDefaultTimeout(10_000);
      await p.goto(stack.server.url);
      await p.getByRole('button', { name: 'Try the demo' }).click();
      await p.getByText('Demo visitor').waitFor();
      await p.getByText('Sourdough troubleshooting').waitFor();
      // Another user's conversations (alice's) are not there.
      expect(await p.getByText('Trip to Lisbon').count()).toBe(0);
      await shot(p, 'demo');

      await p.getByRole('button', { name: 'Sign out' }).click();
      await p.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
      expect((await ctx.cookies()).some((c) => c.name === 'parley_session')).toBe(false);
      const status = await p.evaluate(async () => (await fetch('/trpc/conversation.list')).status);
      expect(status).toBe(401);
    } finally {
      await ctx.close();
    }
  });
});
