/**
 * Import and export in Debian's Chromium against the real production server: "Export all"
 * downloads every conversation as NDJSON; a ChatGPT export is imported with its report, its
 * conversations reach the list live, the same file again imports nothing; a broken file says
 * where it broke and imports nothing.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createViaApi, startSignedIn } from './app-page.ts';
import type { Stack } from './browser.ts';

const CHATGPT_EXPORT = fileURLToPath(
  new URL('../../../packages/api/testing/fixtures/chatgpt-conversations.json', import.meta.url),
);

let stack: Stack;
let page: Page;

beforeAll(async () => {
  ({ stack, page } = await startSignedIn());
});

afterAll(() => stack?.close());

async function openDataPage(p: Page) {
  await p.getByRole('link', { name: 'Import and export' }).click();
  await p.getByRole('heading', { name: 'Import and export' }).waitFor();
}

async function importFile(p: Page, file: string | { name: string; buffer: Buffer }) {
  await p
    .getByLabel('File')
    .setInputFiles(typeof file === 'string' ? file : { ...file, mimeType: 'application/json' });
  await p.getByRole('button', { name: 'Import', exact: true }).click();
}

const count = async () =>
  (await stack.api('query', 'conversation.list', { limit: 100 })).items.length as number;

describe('import and export', () => {
  it('"Export all" downloads every conversation, one per line', async () => {
    await createViaApi(stack, page, 'Exported one');
    await createViaApi(stack, page, 'Exported two');
    await openDataPage(page);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Export all conversations' }).click(),
    ]);
    const lines = (await readFile(await download.path(), 'utf8')).trim().split('\n');
    const titles = lines.map((line) => (JSON.parse(line) as { title: string }).title);
    expect(titles).toEqual(expect.arrayContaining(['Exported one', 'Exported two']));
    expect(lines).toHaveLength(await count());
  });

  it('imports a ChatGPT export with its report; the list shows it live; again, nothing', async () => {
    await openDataPage(page);
    await importFile(page, CHATGPT_EXPORT);
    const report = page.locator('.import-report');
    await report.waitFor();
    // The fixture's third conversation has only custom instructions; others hold hidden nodes.
    expect(await report.locator('p').innerText()).toMatch(
      /^Imported 2 conversations; skipped 1 conversation and \d+ messages\.$/,
    );
    await page.locator('.sidebar li.row', { hasText: 'Trip to Lisbon' }).waitFor();
    const before = await count();

    await importFile(page, CHATGPT_EXPORT);
    await report.getByText(/^Imported 0 conversations; skipped 3 conversations/).waitFor();
    expect(await report.getByRole('list', { name: 'Skipped' }).innerText()).toContain(
      'already imported',
    );
    expect(await count()).toBe(before);
  });

  it('a broken file: where it broke, and nothing imported', async () => {
    await openDataPage(page);
    const before = await count();
    await importFile(page, {
      name: 'conversations.json',
      buffer: Buffer.from('[{"title": "Half", "mapping": {}},\n {"title": nope}]'),
    });
    const alert = page.locator('.data-page [role="alert"]');
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(
      /^Could not import this file: .+\(line 2, column \d+\)$/,
    );
    expect(await count()).toBe(before);
  });
});
