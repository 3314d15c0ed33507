/**
 * Notices in Debian's Chromium against the real production server: deletes made in a burst share
 * one notice and one Undo (the first of them never sent early), the notice waits while hovered,
 * F8 and Ctrl+Z reach it from the keyboard at once, it never covers the focused row, and signing
 * out clears it (sending what was deleted).
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createViaApi,
  hasFocus,
  infoNotices,
  newContext,
  recordMutations,
  rowOf,
  shot,
  signIn,
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

afterAll(() => stack?.close());

const exists = async (id: string) =>
  stack.api('query', 'conversation.get', { id }).then(
    () => true,
    () => false,
  );

/** Deletes each row by keyboard: its Delete button focused, then Enter. */
async function deleteRows(p: Page, ids: string[]) {
  for (const id of ids) {
    await rowOf(p, id)
      .getByRole('button', { name: /^Delete/ })
      .focus();
    await p.keyboard.press('Enter');
    await rowOf(p, id).waitFor({ state: 'detached' });
  }
}

async function createMany(p: Page, prefix: string, n: number) {
  const made: { id: string; title: string }[] = [];
  for (let i = 1; i <= n; i++) made.push(await createViaApi(stack, p, `${prefix} ${i}`));
  return made;
}

describe('delete notices', () => {
  it('four deletes in a burst: one notice, "Deleted 4"; Ctrl+Z brings all four back, nothing sent', async () => {
    const deletes = recordMutations(page, 'conversation.delete');
    const rows = await createMany(page, 'Burst', 4);
    await deleteRows(
      page,
      rows.map((r) => r.id),
    );
    expect(await infoNotices(page).count()).toBe(1);
    expect(await infoNotices(page).innerText()).toContain('Deleted 4 conversations.');
    await shot(page, 'burst-notice');
    // The focus is on a row (not in a text field): Ctrl+Z undoes the burst.
    await page.keyboard.press('Control+z');
    for (const r of rows) await titleOf(page, r.id).waitFor();
    await infoNotices(page).waitFor({ state: 'detached' });
    await waitFor('the focus on the first one deleted', () => hasFocus(titleOf(page, rows[0]!.id)));
    expect(deletes).toEqual([]);
    for (const r of rows) expect(await exists(r.id)).toBe(true);
  });

  it('F8 reaches the Undo at once; Enter on it undoes', async () => {
    const [one] = await createMany(page, 'F8', 1);
    // Frames come late, as on a busy machine: the delete's move of the focus to the next row
    // comes after F8, and must not take the focus back from the Undo.
    await page.evaluate(() => {
      const w = window as unknown as { restoreRaf: () => void; lateFrames: number };
      const raf = window.requestAnimationFrame.bind(window);
      w.lateFrames = 0;
      w.restoreRaf = () => (window.requestAnimationFrame = raf);
      window.requestAnimationFrame = (callback) => {
        w.lateFrames++;
        return raf(() =>
          setTimeout(
            () =>
              raf((time) => {
                w.lateFrames--;
                callback(time);
              }),
            500,
          ),
        );
      };
    });
    await deleteRows(page, [one!.id]);
    await page.keyboard.press('F8');
    const undo = infoNotices(page).getByRole('button', { name: 'Undo' });
    await waitFor('the focus on Undo', () => hasFocus(undo));
    await waitFor('the late frames to have come', () =>
      page.evaluate(() => (window as unknown as { lateFrames: number }).lateFrames === 0),
    );
    expect(await hasFocus(undo)).toBe(true); // still on the Undo
    await page.evaluate(() => (window as unknown as { restoreRaf: () => void }).restoreRaf());
    await page.keyboard.press('Enter');
    await titleOf(page, one!.id).waitFor();
    await waitFor('the focus back on the row', () => hasFocus(titleOf(page, one!.id)));
  });

  it('a burst is sent whole when its window ends, the first delete included; hovering holds it', async () => {
    const deletes = recordMutations(page, 'conversation.delete');
    const rows = await createMany(page, 'Sent', 3);
    const started = Date.now();
    await deleteRows(
      page,
      rows.map((r) => r.id),
    );
    await infoNotices(page).hover();
    // Well past the 6 s window: while hovered, nothing is sent.
    await waitFor('9 s to pass', () => Date.now() - started > 9_000, 30_000);
    expect(deletes).toEqual([]);
    expect(await infoNotices(page).innerText()).toContain('Deleted 3 conversations.');
    await page.mouse.move(5, 5);
    await waitFor('the three deletes', () => deletes.length === 3, 30_000);
    await infoNotices(page).waitFor({ state: 'detached' });
    for (const r of rows) {
      await waitFor('the server to have deleted it', async () => !(await exists(r.id)));
    }
  });

  it('at 375 px, the notice never covers the row that has the focus', async () => {
    const p = await context.newPage();
    try {
      await p.setViewportSize({ width: 375, height: 600 });
      await p.goto(stack.server.url);
      await waitForLive(p);
      await p.getByRole('button', { name: 'Conversations' }).click();
      const rows = await createMany(p, 'Covered?', 12);
      const oldestTwo = rows.slice(0, 2).map((r) => r.id); // at the bottom of the list
      await rowOf(p, oldestTwo[1]!).scrollIntoViewIfNeeded();
      await deleteRows(p, [oldestTwo[1]!]);
      await infoNotices(p).waitFor();
      // The focus moved to the next row; the notice bar is not over it.
      await waitFor('the focused row above the notice', () =>
        p.evaluate(() => {
          const focused = document.activeElement!.getBoundingClientRect();
          const notice = document.querySelector('.notices .notice')!.getBoundingClientRect();
          return focused.height > 0 && focused.bottom <= notice.top;
        }),
      );
      await shot(p, 'narrow-notice');
      await p.keyboard.press('Control+z');
      await titleOf(p, oldestTwo[1]!).waitFor();
    } finally {
      await p.close();
    }
  });

  it('signing out sends the pending deletes and clears the notice', async () => {
    const { context: ctx, page: p } = await newContext(stack);
    try {
      await signIn(p, stack);
      const [one] = await createMany(p, 'Before signing out', 1);
      await deleteRows(p, [one!.id]);
      await infoNotices(p).waitFor();
      await p.getByRole('button', { name: 'Sign out' }).click();
      await p.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
      expect(await infoNotices(p).count()).toBe(0);
      expect(await exists(one!.id)).toBe(false);
    } finally {
      await ctx.close();
    }
  });
});
