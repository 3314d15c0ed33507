/**
 * The vendors' schemas (test/fixtures/seeds/*.json) loaded into one ajv (JSON Schema 2020-12, the
 * dialect of OpenAPI 3.1), and small helpers the conformance tests share.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import { trpc } from '../../testing/server-process.ts';

export const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

export const SCHEMA_FILES = ['florent', 'dify', 'dify-reference', 'orq', 'rag', 'fastapi'] as const;
export type SchemaFile = (typeof SCHEMA_FILES)[number];

export function readFixture(name: string): any {
  return JSON.parse(readFileSync(path.join(FIXTURES, name), 'utf8'));
}

/** Every schema file compiled in strict mode, so a typo in a fixture fails loudly. */
export function createAjv() {
  const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  // The Dify reference types total_price as a string of format "decimal", which ajv-formats lacks.
  ajv.addFormat('decimal', /^-?\d+(\.\d+)?$/);
  for (const file of SCHEMA_FILES) ajv.addSchema(readFixture(`seeds/${file}.json`));
  return ajv;
}

const ajv = createAjv();

/** The ajv errors of `data` against a fixture schema ($defs name), or null when it is valid. */
export function schemaErrors(file: SchemaFile, def: string, data: unknown): string | null {
  const id = `https://parley.test/fixtures/seeds/${file}.json#/$defs/${def}`;
  const validate = ajv.getSchema(id);
  if (!validate) throw new Error(`no schema ${id}`);
  return validate(data) ? null : ajv.errorsText(validate.errors, { dataVar: 'body' });
}

/** Asserts that `data` validates against a vendor's schema, saying what failed and on what. */
export function expectSchema(file: SchemaFile, def: string, data: unknown, label = ''): void {
  const errors = schemaErrors(file, def, data);
  expect(errors, `${label} ${file}#${def}: ${errors}\n${JSON.stringify(data, null, 2)}`).toBeNull();
}

/** The seeds' own example exchanges (test/fixtures/seeds/examples.json). */
export const examples = readFixture('seeds/examples.json');

export const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const ORQ_ID = /^conv_[0-7][0-9a-hjkmnp-tv-z]{25}$/;
/** A UUIDv7 (RFC 9562: version 7, variant 10), as Dify renders the ids Parley makes. */
export const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** A conversation made through tRPC (canonical ULID id), as the caller of `key`. */
export async function createConversation(url: string, key: string, title?: string) {
  const { status, body } = await trpc(url, 'mutation', 'conversation.create', { title }, key);
  expect(status, JSON.stringify(body)).toBe(200);
  return body.result.data as { id: string; title: string; version: number };
}

/** Appends a message through tRPC (`message.append`). */
export async function appendMessage(
  url: string,
  key: string,
  conversationId: string,
  role: 'user' | 'assistant' | 'system',
  content: string,
) {
  const { status, body } = await trpc(
    url,
    'mutation',
    'message.append',
    { conversationId, role, content },
    key,
  );
  expect(status, JSON.stringify(body)).toBe(200);
}

/** The conversation as tRPC sees it; null when it reads as not found. */
export async function getConversation(url: string, key: string, id: string) {
  const { status, body } = await trpc(url, 'query', 'conversation.get', { id }, key);
  if (status === 404) return null;
  expect(status, JSON.stringify(body)).toBe(200);
  return body.result.data as {
    id: string;
    title: string;
    titleSource: string;
    version: number;
    messageCount: number;
    createdAt: string;
    updatedAt: string;
  };
}

/** A well-formed id that no conversation has, in each face's rendering. */
export const UNKNOWN = {
  ulid: '01J00000000000000000000000',
  orq: 'conv_01j00000000000000000000000',
  uuid: '01900000-0000-0000-0000-000000000000',
};

/** Integer, within a minute of now: a timestamp in the given unit, not in another. */
export function expectNow(value: unknown, unit: 'ms' | 's', label: string): void {
  expect(Number.isInteger(value), `${label} is an integer`).toBe(true);
  const now = unit === 'ms' ? Date.now() : Date.now() / 1000;
  const minute = unit === 'ms' ? 60_000 : 60;
  expect(
    Math.abs((value as number) - now),
    `${label} (${String(value)}) is unix ${unit}`,
  ).toBeLessThan(minute);
}
