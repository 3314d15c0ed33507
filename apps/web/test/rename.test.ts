/**
 * Inline rename in Debian's Chromium against the real production server: Enter, F2, leaving the
 * field, Escape, the grapheme counter, a refusal rolled back, and all of it by keyboard alone.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertText,
  createViaApi,
  firstRowTitle,
  hasFocus,
  messageBox,
  newContext,
  recordMutations,
  rowOf,
  shot,
  startSignedIn,
  titleOf,
} from './app-page.ts';
import { waitFor, type Stack } from './browser.ts';

let stack: Stack;
let page: Page;

beforeAll(async () => {
  ({ stack, page } = await startSignedIn());
});

afterAll(() => stack?.close()); // its browser's contexts with it

const stored = (id: string) => stack.api('query', 'conversation.get', { id });
const heading = () => page.getByRole('heading', { name: 'Conversations' });

/** Waits for the server to have the rename (version 2); the row shows it too. */
async function expectSaved(id: string, title: string) {
  await waitFor('the server to have it', async () => (await stored(id)).version === 2);
  expect(await stored(id)).toMatchObject({ title });
  expect(await titleOf(page, id).innerText()).toBe(title);
}

describe('inline rename', () => {
  it('renames with Enter, without moving anything on the page', async () => {
    await createViaApi(stack, page, 'An older one');
    const c = await createViaApi(stack, page, 'Rename me');
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
    expect(await stored(c.id)).toMatchObject({ title: 'Renamed with Enter 👩🏽‍💻', version: 2 });
  });

  it('F2 on the focused row starts a rename of that row', async () => {
    const other = await createViaApi(stack, page, 'Not this one');
    const c = await createViaApi(stack, page, 'Rename me with F2');
    await titleOf(page, c.id).focus();
    await page.keyboard.press('F2');
    const input = rowOf(page, c.id).getByRole('textbox');
    await waitFor('the input to take the focus', () =>
      input.evaluate((el) => el === document.activeElement),
    );
    expect(await rowOf(page, other.id).getByRole('textbox').count()).toBe(0);
    await page.keyboard.type('Renamed with F2'); // the whole title is selected: typing replaces it
    await page.keyboard.press('Enter');
    await expectSaved(c.id, 'Renamed with F2');
  });

  it('leaving the field saves a valid change', async () => {
    const c = await createViaApi(stack, page, 'Leave me');
    const row = rowOf(page, c.id);
    await row.getByRole('button', { name: /^Rename/ }).click();
    await row.getByRole('textbox').fill('Saved by leaving the field');
    await heading().click(); // the focus moves out of the editor
    await row.getByRole('textbox').waitFor({ state: 'detached' });
    await expectSaved(c.id, 'Saved by leaving the field');
  });

  it('cancels with Escape: the title and the server stay as they were', async () => {
    const c = await createViaApi(stack, page, 'Keep me');
    const row = rowOf(page, c.id);
    await row.getByRole('button', { name: /^Rename/ }).click();
    await row.getByRole('textbox').fill('Not this');
    await row.getByRole('textbox').press('Escape');
    expect(await titleOf(page, c.id).innerText()).toBe('Keep me');
    expect(await row.getByRole('textbox').count()).toBe(0);
    expect(await stored(c.id)).toMatchObject({ title: 'Keep me', version: 1 });
  });

  it('counts graphemes as the person types and sends nothing over 100 or blank', async () => {
    const c = await createViaApi(stack, page, 'Length check');
    const renames = recordMutations(page, 'conversation.rename');
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
    await input.press('Enter'); // refused here: the editor stays
    await heading().click(); // leaving the field keeps an invalid draft open, with its reason
    expect(await input.isVisible()).toBe(true);
    await input.fill('   ');
    await row.getByText('Title must not be empty or only whitespace.').waitFor();
    await input.press('Enter');
    expect(await input.isVisible()).toBe(true);
    // A valid title is sent; a refused one, had it been sent, would have gone before it.
    await input.fill('Length checked');
    await input.press('Enter');
    await waitFor(
      'the valid rename to reach the server',
      async () => (await stored(c.id)).version === 2,
    );
    expect(renames).toEqual([{ id: c.id, title: 'Length checked', expectedVersion: 1 }]);
  });

  it('a rename the server refuses (renamed elsewhere meanwhile) rolls back with a message', async () => {
    const c = await createViaApi(stack, page, 'Contested');
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
    expect(await stored(c.id)).toMatchObject({ title: 'Theirs', version: 2 });
  });
});

describe('keyboard only', () => {
  it('signs in, starts a conversation, renames (Enter) and cancels (Escape) with the keyboard alone', async () => {
    const { context: ctx, page: p } = await newContext(stack);
    try {
      await p.goto(stack.server.url);
      const focused = () =>
        p.evaluate(() => {
          const el = document.activeElement;
          return el?.getAttribute('aria-label') ?? el?.textContent ?? el?.id ?? '';
        });
      /** Presses Tab until the focused element matches (bounded). */
      const tabTo = async (match: RegExp, key = 'Tab') => {
        for (let i = 0; i < 200; i++) {
          if (match.test(await focused())) return;
          await p.keyboard.press(key);
        }
        throw new Error(`Tab never reached ${match}`);
      };

      await p.getByLabel('API key').waitFor();
      // The key field has the focus on arrival.
      await waitFor('the focus in the key field', () => hasFocus(p.getByLabel('API key')));
      await p.keyboard.type(stack.key);
      await p.keyboard.press('Enter');
      await p.getByRole('heading', { name: 'New chat' }).waitFor();
      // Signed in, the focus is where the work continues: the message box of a new chat.
      await waitFor('the focus in the message box', () => hasFocus(messageBox(p)));
      await p.keyboard.type('Typed without a mouse');
      await p.keyboard.press('Control+Enter');
      await waitFor(
        'the created row, named after its message',
        async () => (await firstRowTitle(p).innerText()) === 'Typed without a mouse',
      );
      await waitFor('the focus back in the message box', () => hasFocus(messageBox(p)));

      await tabTo(/^Rename “Typed without a mouse”/, 'Shift+Tab'); // back into the list
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
