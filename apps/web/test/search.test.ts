/**
 * Search in Debian's Chromium against the real production server: Ctrl+K reaches the box, results
 * come as the person types with the words found marked, a result opens its conversation at the
 * matching message (read from older pages when it is not among the newest), any script and
 * emoji are found, query syntax is plain text, and Escape brings the list back.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViaApi, startSignedIn } from './app-page.ts';
import { waitFor, type Stack } from './browser.ts';

let stack: Stack;
let page: Page;

beforeAll(async () => {
  ({ stack, page } = await startSignedIn());
});

afterAll(() => stack?.close());

const searchBox = (p: Page) => p.getByRole('searchbox', { name: 'Search conversations' });
const results = (p: Page) => p.locator('.search-results li.result');

/** Appends `contents` in order, through message.appendMany (20 at a time). */
async function appendAll(conversationId: string, contents: string[]) {
  for (let i = 0; i < contents.length; i += 20) {
    await stack.api('mutation', 'message.appendMany', {
      conversationId,
      messages: contents.slice(i, i + 20).map((content) => ({ role: 'user', content })),
    });
  }
}

describe('search', () => {
  it('Ctrl+K, type, and a result opens its conversation at the message, found on an older page', async () => {
    const c = await createViaApi(stack, page, 'Holiday notes');
    const filler = Array.from({ length: 120 }, (_, i) => `Filler line ${i + 1}`);
    await appendAll(c.id, ['Try the pastéis in Belém, warm from the oven.', ...filler]);

    await page.keyboard.press('Control+k');
    await waitFor('the focus in the search box', () =>
      searchBox(page).evaluate((el) => el === document.activeElement),
    );
    await page.keyboard.type('pastéis belém');
    await results(page).first().waitFor();
    expect(await results(page).count()).toBe(1);
    const result = results(page).first();
    expect(await result.locator('.title').innerText()).toBe('Holiday notes');
    expect(await result.locator('mark').allInnerTexts()).toEqual(['pastéis', 'Belém']);

    await result.locator('.title').click();
    const found = page.locator('.message.found');
    await found.waitFor();
    expect(await found.innerText()).toContain('Try the pastéis in Belém');
    // It is the oldest of 121 messages: the newest page (50) did not hold it.
    await waitFor('the found message in view and focused', () =>
      found.evaluate((el) => {
        const box = el.getBoundingClientRect();
        const view = el.closest('.messages-scroll')!.getBoundingClientRect();
        return el === document.activeElement && box.top >= view.top && box.top < view.bottom;
      }),
    );
  });

  it('finds CJK and emoji, treats query syntax as text, and Escape brings the list back', async () => {
    await searchBox(page).fill(''); // the list again, where the new conversation shows
    const c = await createViaApi(stack, page, 'Trip 🎉 plans');
    await appendAll(c.id, ['東京で寿司を食べた']);

    const search = async (q: string) => {
      await searchBox(page).fill(q);
      await waitFor(`the results for ${q}`, async () => {
        const heading = await page.locator('.sidebar-heading').textContent();
        const state = await page.locator('.search-results .state').count();
        return heading === 'Search results' && ((await results(page).count()) > 0 || state > 0);
      });
    };

    await search('寿司');
    await waitFor('the CJK result', async () =>
      (await results(page).allInnerTexts()).some((t) => t.includes('Trip 🎉 plans')),
    );
    await search('🎉');
    await waitFor('the emoji result', async () =>
      (await results(page).locator('.title').allInnerTexts()).includes('Trip 🎉 plans'),
    );
    await search('"NEAR( OR *');
    await page.getByText('Nothing found for “"NEAR( OR *”.').waitFor();
    expect(await page.locator('.search-results [role="alert"]').count()).toBe(0);

    await searchBox(page).press('Escape');
    expect(await searchBox(page).inputValue()).toBe('');
    await page.getByRole('heading', { name: 'Conversations', exact: true }).waitFor();
    await page.locator(`li.row[data-id="${c.id}"]`).waitFor();
  });
});
