/**
 * The API reference at /docs works offline and runs no third-party code: with every request to a
 * host other than Parley's refused, the page renders every face's operations, nothing on it
 * tries another host or breaks its Content-Security-Policy, and that policy names no other host.
 */
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS, startStack, type Stack } from './browser.ts';

let stack: Stack;
let context: BrowserContext;
/** Every request to another origin that the page attempted (all refused). */
const foreign: string[] = [];

beforeAll(async () => {
  stack = await startStack();
  context = await stack.browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { origin } = new URL(stack.server.url);
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    foreign.push(url);
    return route.abort('blockedbyclient');
  });
});

afterAll(async () => {
  await context?.close().catch(() => undefined);
  await stack?.close();
});

/** Collects the page's Content-Security-Policy violations, from before its first script runs. */
async function recordViolations(page: Page): Promise<() => Promise<string[]>> {
  await page.addInitScript(() => {
    const seen: string[] = [];
    (window as unknown as { violations: string[] }).violations = seen;
    document.addEventListener('securitypolicyviolation', (event) =>
      seen.push(`${event.effectiveDirective} ${event.blockedURI} ${event.sourceFile}`),
    );
  });
  return () => page.evaluate(() => (window as unknown as { violations: string[] }).violations);
}

describe('/docs', () => {
  it("renders every face's operations from Parley alone", async () => {
    const page = await context.newPage();
    const violations = await recordViolations(page);
    const scripts: { url: string; type?: string; cache?: string }[] = [];
    page.on('response', (response) => {
      if (response.request().resourceType() === 'script') {
        const headers = response.headers();
        scripts.push({
          url: response.url(),
          type: headers['content-type'],
          cache: headers['cache-control'],
        });
      }
    });
    const response = await page.goto(`${stack.server.url}/docs`);
    expect(response?.status()).toBe(200);
    // One operation of each face: Florent, Dify, orq.ai, the RAG service.
    for (const summary of [
      'Create a Florent conversation',
      'Rename Conversation',
      'Generate conversation name',
      'Update Conversation',
    ]) {
      await page.getByText(summary, { exact: true }).first().waitFor({ timeout: 20_000 });
    }
    // Opening an operation and the request client loads nothing from elsewhere either.
    await page.getByText('Rename Conversation', { exact: true }).first().click();
    await page.getByRole('heading', { name: 'Rename Conversation' }).first().waitFor();
    await page.getByRole('button', { name: /^Test Request\W*post \/v1\/conversations\// }).click();
    await page.getByRole('button', { name: /^Send/ }).first().waitFor({ timeout: 20_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'docs-offline.png') });

    expect(foreign).toEqual([]);
    // The one refusal: zod, inside the bundle, probes once whether it may compile code with
    // Function(''); refused (script-src has no 'unsafe-eval'), it validates without.
    const script = scripts[0]?.url;
    expect(await violations()).toEqual([`script-src eval ${script}`]);
    // The reference's script came from Parley, as JavaScript, cached for good under its version.
    expect(scripts).toEqual([
      {
        url: expect.stringMatching(new RegExp(`^${stack.server.url}/docs/scalar-[\\d.]+\\.js$`)),
        type: expect.stringMatching(/^(text|application)\/javascript/),
        cache: 'public, max-age=31536000, immutable',
      },
    ]);

    // The policy's sources are Parley's own: no scheme, host or wildcard; scripts from Parley's
    // files only ('unsafe-inline' is for the styles the reference creates as it runs).
    const header = response!.headers()['content-security-policy']!;
    const policy = new Map(
      header.split(';').map((directive) => {
        const [name, ...sources] = directive.trim().split(/\s+/);
        return [name!, sources];
      }),
    );
    expect(policy.get('script-src')).toEqual(["'self'"]);
    for (const [name, sources] of policy) {
      const allowed = name === 'style-src' ? ["'self'", "'unsafe-inline'"] : ["'self'", "'none'"];
      for (const source of sources) expect([...allowed, 'data:'], name).toContain(source);
    }
  });
});
