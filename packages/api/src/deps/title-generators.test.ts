import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fc, test } from '@fast-check/vitest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countGraphemes } from '../rules/title.ts';
import {
  GENERATED_TITLE_GRAPHEMES,
  localTitleGenerator,
  openAiTitleGenerator,
  titleFromText,
} from './title-generators.ts';

describe('titleFromText', () => {
  it('keeps a short message as it is, on one line, without quotes', () => {
    expect(titleFromText('  "Plan  my\ntrip" to ‘Lisbon’  ')).toBe('Plan my trip to Lisbon');
  });

  it('cuts at 75 graphemes plus an ellipsis, never inside an emoji', () => {
    const family = '👨‍👩‍👧‍👦';
    const title = titleFromText(family.repeat(80))!;
    expect(title).toBe(`${family.repeat(GENERATED_TITLE_GRAPHEMES)}…`);
    expect(countGraphemes(title)).toBe(GENERATED_TITLE_GRAPHEMES + 1);
  });

  it('works in any script', () => {
    expect(titleFromText('東京でおすすめのラーメン屋を教えてください')).toBe(
      '東京でおすすめのラーメン屋を教えてください',
    );
    expect(titleFromText('ما هي أفضل طريقة لتعلم البرمجة؟')).toBe(
      'ما هي أفضل طريقة لتعلم البرمجة؟',
    );
    const long = 'あ'.repeat(200);
    expect(titleFromText(long)).toBe(`${'あ'.repeat(75)}…`);
  });

  it('gives null when nothing is left', () => {
    expect(titleFromText(' "" \n\t ')).toBeNull();
  });

  test.prop([fc.string({ unit: 'grapheme', maxLength: 300 })])(
    'always a valid title or null',
    (text) => {
      const title = titleFromText(text);
      if (title === null) return;
      expect(title).toBe(title.trim());
      expect(title).not.toMatch(/["“”‘’«»\n\r\t]/);
      expect(countGraphemes(title)).toBeLessThanOrEqual(GENERATED_TITLE_GRAPHEMES + 1);
    },
  );

  it('the local generator is deterministic and refuses empty text', async () => {
    await expect(localTitleGenerator.generate('Hello there')).resolves.toBe('Hello there');
    await expect(localTitleGenerator.generate('Hello there')).resolves.toBe('Hello there');
    await expect(localTitleGenerator.generate('   ')).rejects.toThrow();
  });
});

describe('openAiTitleGenerator against a local OpenAI-compatible endpoint', () => {
  let server: Server;
  let baseUrl = '';
  const seen: { auth?: string; body: { model: string; messages: unknown[] } }[] = [];
  let reply: (res: ServerResponse) => void = () => undefined;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let raw = '';
      req.on('data', (chunk: Buffer) => (raw += chunk.toString()));
      req.on('end', () => {
        seen.push({ auth: req.headers.authorization, body: JSON.parse(raw) });
        reply(res);
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  // A bound that only stops a hung request; the timeout test sets its own.
  const generator = (timeoutMs = 30_000) =>
    openAiTitleGenerator({ baseUrl, apiKey: 'sk-test', model: 'tiny', timeoutMs });

  it('sends the first message and cleans the answer', async () => {
    reply = (res) =>
      res.end(JSON.stringify({ choices: [{ message: { content: '"Weekend in Lisbon"\n' } }] }));
    await expect(generator().generate('Plan a weekend in Lisbon for me')).resolves.toBe(
      'Weekend in Lisbon',
    );
    const last = seen.at(-1)!;
    expect(last.auth).toBe('Bearer sk-test');
    expect(last.body.model).toBe('tiny');
    expect(last.body.messages.at(-1)).toEqual({
      role: 'user',
      content: 'Plan a weekend in Lisbon for me',
    });
  });

  it('fails on an error status or an empty answer', async () => {
    reply = (res) => {
      res.statusCode = 500;
      res.end('{}');
    };
    await expect(generator().generate('x')).rejects.toThrow(/500/);
    reply = (res) => res.end(JSON.stringify({ choices: [{ message: { content: '  ' } }] }));
    await expect(generator().generate('x')).rejects.toThrow(/no usable title/);
  });

  it('gives up on an endpoint that never answers, after its timeout', async () => {
    reply = () => undefined; // the connection stays open until the server closes it
    await expect(generator(100).generate('x')).rejects.toMatchObject({ name: 'TimeoutError' });
  });
});
