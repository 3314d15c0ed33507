/**
 * Pin, archive and export in Debian's Chromium against the real production server: pinned
 * conversations sit above the others, here or pinned elsewhere; an archived one leaves the list
 * (with an Undo) for the archive view, from which it is restored; a conversation downloads as
 * JSON and Markdown through the server's export.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViaApi, infoNotices, rowOf, startSignedIn, titleOf } from './app-page.ts';
import { waitFor, type Stack } from './browser.ts';

let stack: Stack;
let page: Page;

beforeAll(async () => {
  ({ stack, page } = await startSignedIn());
});

afterAll(() => stack?.close());

const group = (p: Page, name: string) => p.locator(`.sidebar section.group[aria-label="${name}"]`);
/** The sidebar's titles in the order shown. */
const sidebarTitles = (p: Page) => p.locator('.sidebar .conversations > li .title').allInnerTexts();
describe('pin, archive, export', () => {
  it('a pinned conversation moves above newer ones, in a Pinned group, and back when unpinned', async () => {
    const older = await createViaApi(stack, page, 'Pin me');
    await createViaApi(stack, page, 'Newer than the pin');
    await rowOf(page, older.id).getByRole('button', { name: 'Pin “Pin me”' }).click();
    await group(page, 'Pinned').getByText('Pin me').waitFor();
    expect((await sidebarTitles(page))[0]).toBe('Pin me');
    expect(
      (await stack.api('query', 'conversation.get', { id: older.id })).pinnedAt,
    ).not.toBeNull();

    await rowOf(page, older.id).getByRole('button', { name: 'Unpin “Pin me”' }).click();
    await group(page, 'Pinned').waitFor({ state: 'detached' });
    const titles = await sidebarTitles(page);
    expect(titles.indexOf('Pin me')).toBeGreaterThan(titles.indexOf('Newer than the pin'));
  });

  it('a pin made through the API appears live', async () => {
    const c = await createViaApi(stack, page, 'Pinned elsewhere');
    await stack.api('mutation', 'conversation.pin', { id: c.id });
    await group(page, 'Pinned').getByText('Pinned elsewhere').waitFor();
    await stack.api('mutation', 'conversation.unpin', { id: c.id });
    await group(page, 'Pinned').waitFor({ state: 'detached' });
  });

  it('archiving: the row leaves with an Undo; the archive view lists it and restores it', async () => {
    const c = await createViaApi(stack, page, 'Archive me');
    await rowOf(page, c.id).getByRole('button', { name: 'Archive “Archive me”' }).click();
    await rowOf(page, c.id).waitFor({ state: 'detached' });
    expect(await infoNotices(page).last().innerText()).toContain('Archived “Archive me”.');
    expect((await stack.api('query', 'conversation.get', { id: c.id })).archivedAt).not.toBeNull();

    // Undo brings it back; archived again, it is found in the archive view.
    await infoNotices(page).last().getByRole('button', { name: 'Undo' }).click();
    await titleOf(page, c.id).waitFor();
    await rowOf(page, c.id).getByRole('button', { name: 'Archive “Archive me”' }).click();
    await rowOf(page, c.id).waitFor({ state: 'detached' });

    await page.getByRole('link', { name: 'Archived conversations' }).click();
    await page.getByRole('heading', { name: 'Archived conversations' }).waitFor();
    const archived = page.locator('.archive li.row', { hasText: 'Archive me' });
    await archived.getByRole('button', { name: 'Restore “Archive me”' }).click();
    await archived.waitFor({ state: 'detached' });
    await titleOf(page, c.id).waitFor(); // back in the sidebar
    expect((await stack.api('query', 'conversation.get', { id: c.id })).archivedAt).toBeNull();
  });

  it('the conversation page pins, and downloads the conversation as JSON and Markdown', async () => {
    const c = await createViaApi(stack, page, 'Download me');
    await stack.api('mutation', 'message.append', {
      conversationId: c.id,
      role: 'user',
      content: 'What the file holds',
    });
    await titleOf(page, c.id).click();
    await page.getByRole('heading', { name: 'Download me' }).waitFor();
    const pin = page.locator('.detail-title').getByRole('button', { name: 'Pin' });
    await pin.click();
    await waitFor(
      'the Pin button pressed',
      async () => (await pin.getAttribute('aria-pressed')) === 'true',
    );

    for (const [name, check] of [
      ['Export JSON', (text: string) => JSON.parse(text).title === 'Download me'],
      ['Export Markdown', (text: string) => text.startsWith('# Download me')],
    ] as const) {
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('link', { name }).click(),
      ]);
      const text = await readFile(await download.path(), 'utf8');
      expect(check(text), name).toBe(true);
      expect(text).toContain('What the file holds');
    }
  });
});
