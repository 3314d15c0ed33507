// Writes prisma/postgresql/schema.prisma from prisma/schema.prisma, the one source of the data
// model: the same models for PostgreSQL, its client generated beside the SQLite one, and times
// as timestamptz(3) (an instant with milliseconds, what a JavaScript Date holds), and the lines
// only PostgreSQL has (`// postgresql: …` comments in schema.prisma).
// `node scripts/postgres-schema.mjs --check` exits 1 when the written file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const prismaDir = path.join(import.meta.dirname, '..', 'prisma');
const sourcePath = path.join(prismaDir, 'schema.prisma');
const targetPath = path.join(prismaDir, 'postgresql', 'schema.prisma');

const HEADER =
  '// GENERATED from ../schema.prisma by scripts/postgres-schema.mjs (`pnpm db:generate`).\n' +
  '// Do not edit: change ../schema.prisma, then create a migration for each provider.\n\n';

/** The PostgreSQL schema for a SQLite schema's text. */
export function postgresSchema(source) {
  let inDatasource = false;
  const lines = source.split('\n').map((line) => {
    if (/^datasource\s+\w+\s*\{/.test(line)) inDatasource = true;
    else if (inDatasource && /^\}/.test(line)) inDatasource = false;
    if (inDatasource) return line.replace(/provider\s*=\s*"sqlite"/, 'provider = "postgresql"');
    // The client of this schema goes beside the SQLite one (src/generated/postgresql).
    const output = line.match(/^(\s*output\s*=\s*)"\.\.\/src\/generated\/prisma"\s*$/);
    if (output) return `${output[1]}"../../src/generated/postgresql"`;
    // What only PostgreSQL has (such as a GIN index) is written in schema.prisma as a comment,
    // `// postgresql: <line>`, and becomes that line here.
    const only = line.match(/^(\s*)\/\/ postgresql: (.*)$/);
    if (only) return `${only[1]}${only[2]}`;
    // A model field of type DateTime (optional or not) gets the PostgreSQL column type.
    const field = line.match(/^(\s+\w+\s+DateTime\??)(\s.*)?$/);
    if (field && !line.includes('@db.')) {
      return `${field[1]}${field[2] ?? ''} @db.Timestamptz(3)`.replace(/\s+$/, '');
    }
    return line;
  });
  return HEADER + lines.join('\n');
}

const expected = postgresSchema(readFileSync(sourcePath, 'utf8'));
if (process.argv.includes('--check')) {
  let actual = '';
  try {
    actual = readFileSync(targetPath, 'utf8');
  } catch {
    // missing reads as stale
  }
  if (actual !== expected) {
    console.error(`${targetPath} is stale: run \`pnpm db:generate\` and commit it.`);
    process.exit(1);
  }
} else {
  writeFileSync(targetPath, expected);
}
