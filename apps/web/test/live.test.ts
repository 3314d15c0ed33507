/**
 * Live updates in Debian's Chromium against the real production server: what the API changes
 * while a page is open appears there without a reload. Changes the page did not hear of (made
 * through another server process, or while its stream was down) are fetched when the stream
 * reconnects, or refused with a reason when the person acts on what they no longer match.
 */
import { trpc, type ServerProcess } from '@parley/server/testing';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alertText, createViaApi, liveStatus, rowOf, startSignedIn, titleOf } from './app-page.ts';
import { waitFor, type Stack } from './browser.ts';

let stack: Stack;
let page: Page;
let peer: ServerProcess;

beforeAll(async () => {
  ({ stack, page } = await startSignedIn());
  peer = await stack.startPeer();
  // Every test ends on this same document: updated in place, never reloaded.
  await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
});

afterAll(() => stack?.close()); // its browser's contexts and the peer with it

const sameDocument = async () =>
  expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

/** A call through the second server process on the same data directory. */
async function throughPeer(kind: 'query' | 'mutation', procedure: string, input: unknown) {
  const { status, body } = await trpc(peer.url, kind, procedure, input, stack.key);
  if (status !== 200) throw new Error(`${procedure}: ${status} ${JSON.stringify(body)}`);
}

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Resolves after the page has drawn twice: what a response just received changed is shown. */
const nextFrames = (p: Page) =>
  p.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));

/** Milliseconds from `started` until `check` holds (reported, never asserted: load varies). */
async function latency(what: string, started: number, check: () => Promise<boolean>) {
  await waitFor(what, check);
  return Date.now() - started;
}

describe('live updates', () => {
  it('creates, renames and deletes made through the API appear without a reload', async () => {
    let started = Date.now();
    const c = await stack.api('mutation', 'conversation.create', { title: 'Made elsewhere' });
    const created = await latency('the created row', started, () =>
      titleOf(page, c.id).isVisible(),
    );

    started = Date.now();
    // Plain HTTP, as any client makes it: nothing of the web app's own code.
    const response = await fetch(`${stack.server.url}/trpc/conversation.rename`, {
      method: 'POST',
      headers: { authorization: `Bearer ${stack.key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ id: c.id, title: 'Renamed elsewhere' }),
    });
    expect(response.status).toBe(200);
    const renamed = await latency(
      'the new title',
      started,
      async () => (await titleOf(page, c.id).innerText()) === 'Renamed elsewhere',
    );

    started = Date.now();
    await stack.api('mutation', 'conversation.delete', { id: c.id });
    const deleted = await latency(
      'the row to go',
      started,
      async () => (await rowOf(page, c.id).count()) === 0,
    );
    console.log(
      `live in the page after: create ${created} ms, rename ${renamed} ms, delete ${deleted} ms`,
    );
    await sameDocument();
  });

  it('a conversation created while the list is read again stays shown when the older read lands', async () => {
    // The list's next read is answered by the server at once, then held until the create that
    // follows it has been shown live: the read lands after the event, older than it.
    const held = { taken: deferred(), released: deferred(), landed: deferred() };
    await page.route('**/trpc/**conversation.list**', async (route) => {
      const response = await route.fetch();
      held.taken.resolve();
      await held.released.promise;
      await route.fulfill({ response }).catch(() => undefined);
      held.landed.resolve();
    });
    try {
      // The stream connecting again (here after a restart) makes the page read the list again.
      await stack.stopServer();
      await stack.startServer();
      await held.taken.promise;
      const c = await createViaApi(stack, page, 'Created during a re-read');
      held.released.resolve();
      await held.landed.promise;
      await nextFrames(page);
      expect(await titleOf(page, c.id).isVisible()).toBe(true);
    } finally {
      await page.unrouteAll();
    }
    await sameDocument();
  });

  it('a message added through the API appears in the open conversation, and its count', async () => {
    const c = await createViaApi(stack, page, 'Messages arrive');
    await titleOf(page, c.id).click();
    await page.getByRole('heading', { name: 'Messages arrive' }).waitFor();
    await page.getByText('No messages yet').waitFor(); // loaded: what follows comes live
    const started = Date.now();
    await stack.api('mutation', 'message.append', {
      conversationId: c.id,
      role: 'assistant',
      content: 'Hello from the API',
    });
    const shown = await latency('the message', started, () =>
      page.getByText('Hello from the API').isVisible(),
    );
    console.log(`a message through the API shown in the page after ${shown} ms`);
    await page
      .locator('.detail-title .meta')
      .getByText(/^1 message · /)
      .waitFor();
    await rowOf(page, c.id)
      .getByText(/^1 message · /)
      .waitFor();

    // Deleted through the OpenAI face (an item of the conversation): it leaves the page, live.
    const message = (await stack.api('query', 'message.list', { conversationId: c.id })).items[0];
    const openAiId = (prefix: string, id: string) => `${prefix}_${id.toLowerCase()}`;
    const response = await fetch(
      `${stack.server.url}/openai/v1/conversations/${openAiId('conv', c.id)}/items/${openAiId('msg', message.id)}`,
      { method: 'DELETE', headers: { authorization: `Bearer ${stack.key}` } },
    );
    expect(response.status).toBe(200);
    await page.getByText('Hello from the API').waitFor({ state: 'detached' });
    await rowOf(page, c.id)
      .getByText(/^0 messages · /)
      .waitFor();
    await sameDocument();
  });
});

describe('changes the page did not hear of', () => {
  it('renaming a conversation deleted through another server process: refused, the row goes, a message says why', async () => {
    const c = await createViaApi(stack, page, 'Deleted by another process');
    const row = rowOf(page, c.id);
    await row.getByRole('button', { name: /^Rename/ }).click();
    await row.getByRole('textbox').fill('Mine');
    // Live events stay in the process that made the change: this page's server says nothing.
    await throughPeer('mutation', 'conversation.delete', { id: c.id });
    await row.getByRole('textbox').press('Enter');
    await waitFor('the reason', async () =>
      (await alertText(page)).includes(
        'Not renamed: this conversation no longer exists (it was deleted elsewhere).',
      ),
    );
    await row.waitFor({ state: 'detached' });
    expect(await page.getByText('Mine', { exact: true }).count()).toBe(0);
    await expect(stack.api('query', 'conversation.get', { id: c.id })).rejects.toThrow(
      'conversation.get: 404',
    );
    await sameDocument();
  });

  it('the stream drops (server restart): the page says so, reconnects, and shows what changed meanwhile', async () => {
    const c = await createViaApi(stack, page, 'Renamed while the page was away');
    const sessionReads: string[] = [];
    const onRequest = (r: Request) => {
      if (new URL(r.url()).pathname === '/auth/session') sessionReads.push(r.method());
    };
    page.on('request', onRequest);
    await stack.stopServer();
    await waitFor('the page to notice', async () => (await liveStatus(page)) === 'Reconnecting…');
    await throughPeer('mutation', 'conversation.rename', { id: c.id, title: 'Changed meanwhile' });

    await stack.startServer(); // same port, same data directory
    const started = Date.now();
    const back = await latency(
      'live updates again',
      started,
      async () => (await liveStatus(page)) === 'Live',
    );
    await waitFor(
      'the change made meanwhile',
      async () => (await titleOf(page, c.id).innerText()) === 'Changed meanwhile',
    );
    console.log(`live again ${back} ms after the server was back`);
    await sameDocument();
    // A reconnect reads again what the page shows, not the session: a session read failing while
    // the server restarted put the whole page on "Parley is not reachable" (seen under load).
    page.off('request', onRequest);
    expect(sessionReads).toEqual([]);
  });
});
