// Runs the Prisma CLI without its Rust schema engine, which cannot be downloaded on machines
// that reach only the npm registry. `prisma generate` needs no engine, but checks that the file
// named by PRISMA_SCHEMA_ENGINE_BINARY exists; point it at this Node binary unless set.
// Migrations go through @prisma/schema-engine-wasm instead (src/migrate).
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};
const result = spawnSync(process.execPath, [cli, ...process.argv.slice(2)], {
  stdio: 'inherit',
  env,
});
process.exit(result.status ?? 1);
