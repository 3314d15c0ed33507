/**
 * Who is signed in, in Debian's Chromium against the real production server: signing in with a
 * wrong and a right key, the demo, and signing out.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newContext, shot } from './app-page.ts';
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
      await page.getByText('That API key was not accepted').waitFor();

      await page.getByLabel('API key').fill(stack.key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: 'Conversations' }).waitFor();
      await page.getByText('@ acme').waitFor();
      await page.getByText('No conversations yet').waitFor();
      // The session is an httpOnly cookie: nothing for page scripts to read or steal.
      expect(await sessionCookie(context)).toMatchObject({ httpOnly: true, sameSite: 'Lax' });
      expect(await page.evaluate(() => document.cookie)).toBe('');
      await waitFor('live updates', () => page.getByText('Live', { exact: true }).isVisible());
    } finally {
      await context.close();
    }
  });

  it('"Try the demo" gives a private account with samples; signing out ends the session', async () => {
    await stack.api('mutation', 'conversation.create', { title: 'Trip to Lisbon' });
    const { context, page } = await newContext(stack);
    try {
      await page.goto(stack.server.url);
      await page.getByRole('button', { name: 'Try the demo' }).click();
      await page.getByText('Demo visitor').waitFor();
      await page.getByText('Sourdough troubleshooting').waitFor();
      // Another user's conversations (alice's) are not there.
      expect(await page.getByText('Trip to Lisbon').count()).toBe(0);
      await shot(page, 'demo');

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByRole('heading', { name: 'Sign in to Parley' }).waitFor();
      expect(await sessionCookie(context)).toBeUndefined();
      const status = await page.evaluate(
        async () => (await fetch('/trpc/conversation.list')).status,
      );
      expect(status).toBe(401);
    } finally {
      await context.close();
    }
  });
});
