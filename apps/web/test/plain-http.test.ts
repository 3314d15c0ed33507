/**
 * Opened over plain HTTP under a host name of its own (as http://parley.lan:3000/ on a LAN, with
 * HOST=0.0.0.0), the app loads: a Content-Security-Policy with upgrade-insecure-requests would
 * have the browser fetch the page's scripts and styles over https instead, and the page would
 * stay white. Chromium resolves parley.test to 127.0.0.1 (browser.ts), where the server listens.
 */
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startStack, type Stack } from './browser.ts';

let stack: Stack;
let context: BrowserContext;

beforeAll(async () => {
  stack = await startStack();
  context = await stack.browser.newContext();
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await stack?.close();
});

describe('plain HTTP under another host name', () => {
  it('renders the sign-in page, every resource fetched over http from that host', async () => {
    const origin = `http://parley.test:${new URL(stack.server.url).port}`;
    const page = await context.newPage();
    const requested: string[] = [];
    const failed: string[] = [];
    page.on('request', (request) => requested.push(request.url()));
    page.on('requestfailed', (request) => failed.push(request.url()));
    await page.goto(`${origin}/`);
    await page.getByLabel('API key').waitFor({ timeout: 10_000 });
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(failed).toEqual([]);
    expect(requested.length).toBeGreaterThan(1); // the page and its scripts at least
    expect(requested.filter((url) => !url.startsWith(`${origin}/`))).toEqual([]);
  });
});
