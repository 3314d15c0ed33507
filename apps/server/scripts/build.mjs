// The production build: src/main.ts with the workspace packages it uses, bundled by esbuild into
// dist/main.mjs, so that `pnpm start` runs plain Node (the key CLI stays on tsx); and
// src/start.ts into dist/start.mjs, which gives the start script its command line. Running from
// TypeScript source through tsx costs about 40 MB of resident memory (a loader thread with its
// own heap) and a slower start (docs/performance.md). Dependencies that load files next to
// themselves stay outside the bundle and resolve at run time from this package's own
// dependencies: better-sqlite3 (a native addon) and Prisma's schema engine (glue for a .wasm file
// it instantiates by path).
import { build } from 'esbuild';

await build({
  entryPoints: { main: 'src/main.ts', start: 'src/start.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20.19',
  external: ['better-sqlite3', '@prisma/schema-engine-wasm', '@prisma/schema-engine-wasm/*'],
  // Bundled CommonJS calls require() for Node's built-ins; an ES module has none of its own.
  banner: {
    js: "import { createRequire as __parleyCreateRequire } from 'node:module'; const require = __parleyCreateRequire(import.meta.url);",
  },
  // Stack traces name the TypeScript sources under `node --enable-source-maps`.
  sourcemap: 'linked',
  legalComments: 'linked',
  logLevel: 'warning',
});
