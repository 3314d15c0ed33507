/**
 * The screenshots in docs/ (web-app.png, web-app-dark.png, web-app-narrow.png), taken from the
 * real app against the real server: `pnpm --filter @parley/web screenshots` (after a build).
 * Skipped in the ordinary test run, which must not change files in the repository.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { firstRowTitle, newContext, signIn, titleOf, waitForLive } from './app-page.ts';
import { startStack, waitFor, WEB_DIR, type Stack } from './browser.ts';

const DOCS = path.resolve(WEB_DIR, '../../docs');
let stack: Stack;

const CONVERSATION = [
  { role: 'system', content: 'You answer questions about Lisbon in short, practical notes.' },
  { role: 'user', content: 'Three things to see on a first afternoon in **Lisbon**?' },
  {
    role: 'assistant',
    content: [
      'A first afternoon, on foot:',
      '',
      '1. **Alfama**: the old quarter, down to the river.',
      '2. **Miradouro de Santa Luzia** for the view over the roofs.',
      '3. Tram `28` back up the hill, early or late to get a seat.',
      '',
      'More on the [city’s own site](https://www.visitlisboa.com/).',
    ].join('\n'),
  },
  { role: 'user', content: 'And where for dinner near Alfama?' },
] as const;

describe.skipIf(!process.env.PARLEY_SCREENSHOTS)('screenshots for docs/', () => {
  let id: string;

  beforeAll(async () => {
    stack = await startStack();
    for (const title of ['Sourdough starter schedule', 'Quarterly report outline']) {
      const c = await stack.api('mutation', 'conversation.create', { title });
      await stack.api('mutation', 'message.append', {
        conversationId: c.id,
        role: 'user',
        content: `Notes for “${title}”.`,
      });
    }
    const c = await stack.api('mutation', 'conversation.create', {
      title: 'A first afternoon in Lisbon',
    });
    id = c.id;
    for (const m of CONVERSATION) {
      await stack.api('mutation', 'message.append', { conversationId: id, ...m });
    }
  });

  afterAll(() => stack?.close());

  async function open(p: Page) {
    await signIn(p, stack);
    await p.goto(`${stack.server.url}/c/${id}`);
    await waitForLive(p);
    await p.locator('.message').getByText('And where for dinner near Alfama?').waitFor();
    await p.locator('.message strong').first().waitFor(); // the Markdown has loaded
    await p
      .getByRole('textbox', { name: 'Message', exact: true })
      .fill('Somewhere with fado, please.');
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`two panes at 1280 px, ${scheme}`, async () => {
      const { context, page } = await newContext(stack, { width: 1280, height: 760 });
      await page.emulateMedia({ colorScheme: scheme });
      await open(page);
      await titleOf(page, id).waitFor();
      const name = scheme === 'light' ? 'web-app.png' : 'web-app-dark.png';
      await page.screenshot({ path: path.join(DOCS, name) });
      await context.close();
    });
  }

  it('the drawer at 375 px', async () => {
    const { context, page } = await newContext(stack, { width: 375, height: 700 });
    await open(page);
    await page.getByRole('button', { name: 'Conversations' }).click();
    await firstRowTitle(page).waitFor();
    await waitFor('the drawer to be in place', () =>
      page.locator('.sidebar').evaluate((el) => el.getBoundingClientRect().left === 0),
    );
    await page.screenshot({ path: path.join(DOCS, 'web-app-narrow.png') });
    await context.close();
  });
});
