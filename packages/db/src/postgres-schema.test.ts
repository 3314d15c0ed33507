import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { POSTGRES_SCHEMA_PATH } from './migrate/index.ts';

const run = promisify(execFile);
const SCRIPT = path.join(import.meta.dirname, '..', 'scripts', 'postgres-schema.mjs');

describe('the PostgreSQL schema', () => {
  // The guard for everyone who edits schema.prisma: the generated copy must follow.
  it('is generated from schema.prisma and up to date', async () => {
    await expect(run(process.execPath, [SCRIPT, '--check'])).resolves.toBeDefined();
  });

  it('stores every time as timestamptz(3), with the same models as schema.prisma', async () => {
    const schema = await readFile(POSTGRES_SCHEMA_PATH, 'utf8');
    expect(schema).toContain('provider = "postgresql"');
    const times = schema.split('\n').filter((line) => /^\s+\w+\s+DateTime\??\s/.test(line));
    expect(times.length).toBeGreaterThanOrEqual(8);
    for (const line of times) expect(line).toContain('@db.Timestamptz(3)');
    const source = await readFile(
      path.join(POSTGRES_SCHEMA_PATH, '..', '..', 'schema.prisma'),
      'utf8',
    );
    const models = (text: string) => text.match(/^model \w+/gm);
    expect(models(schema)).toEqual(models(source));
    // What only PostgreSQL has is a `// postgresql:` comment in the source, a line here.
    expect(source).toContain('// postgresql: @@index([content(ops: raw("gin_trgm_ops"))]');
    expect(schema).toMatch(/^\s+@@index\(\[content\(ops: raw\("gin_trgm_ops"\)\)\], type: Gin/m);
    expect(schema).not.toContain('// postgresql:');
  });
});
