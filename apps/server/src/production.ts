/**
 * How Parley runs in production, defined once: `pnpm start` (through start.ts), the tests that
 * start the real server process, and the benchmark all run the bundle with these settings.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The production build (scripts/build.mjs). Resolved from this module's own place, which is src/
 * when it runs from source and dist/ once bundled: `../dist/` names the same directory from both.
 */
export const SERVER_BUNDLE = fileURLToPath(new URL('../dist/main.mjs', import.meta.url));

/**
 * Unbounded, V8 lets a busy server's heap grow to some 300 MB resident before collecting (with
 * these settings the production server's peak RSS measured 146-161 MB), and glibc gives every thread that allocates (V8's compiler
 * and GC helpers) an arena of its own that it rarely returns: one arena for all saves some
 * 30-50 MB (docs/performance.md). glibc reads MALLOC_ARENA_MAX when the process starts, so these
 * must be in the environment the server is started with, not set from inside it.
 */
export const PRODUCTION_ENV = { NODE_ENV: 'production', MALLOC_ARENA_MAX: '1' };
export const PRODUCTION_NODE_FLAGS = ['--max-semi-space-size=4', '--max-old-space-size=128'];

const SERVER_DIR = path.resolve(import.meta.dirname, '..');
// Everything bundled into the build; a build older than any of it would run old code.
const BUNDLED_SOURCES = ['src', '../../packages/api/src', '../../packages/db/src'].map((dir) =>
  path.join(SERVER_DIR, dir),
);

function newestModification(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) {
      newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
    }
  }
  return newest;
}

/**
 * The production build of this checkout, refusing one that is missing or older than its sources
 * (for the tests and the benchmark, which must measure the code checked out).
 */
export function serverBuild(): string {
  const built = existsSync(SERVER_BUNDLE) ? statSync(SERVER_BUNDLE).mtimeMs : 0;
  const sources = Math.max(...BUNDLED_SOURCES.map(newestModification));
  if (built < sources) {
    throw new Error(
      `${SERVER_BUNDLE} is ${built ? 'older than its sources' : 'missing'}: run \`pnpm --filter @parley/server build\` (turbo runs it before these tests)`,
    );
  }
  return SERVER_BUNDLE;
}
