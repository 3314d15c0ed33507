/**
 * A Vite plugin for the production build: prints the gzip size of the JavaScript it emits and
 * fails the build when that passes the budget, or when server code slipped into the bundle (the
 * app imports only types from @parley/api, plus its pure, browser-safe rules: @parley/api/rules).
 */
import { gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

export const JS_BUDGET_GZIP_BYTES = 150 * 1024;

/**
 * Modules of other workspace packages the browser may run: the rules that @parley/api/rules
 * exports (packages/api's src/rules/index.test.ts holds them free of Prisma and Node). Everything
 * else there is server code, including the Node-only rules beside them.
 */
const BROWSER_SAFE = [/\/packages\/api\/src\/rules\/(?:index|ids|title|message|etag|api-key)\.ts$/];

export function bundleBudget(budget = JS_BUDGET_GZIP_BYTES): Plugin {
  return {
    name: 'parley:bundle-budget',
    apply: 'build',
    generateBundle(_options, bundle) {
      let raw = 0;
      let gzip = 0;
      const lines: string[] = [];
      for (const chunk of Object.values(bundle)) {
        if (chunk.type !== 'chunk') continue;
        const size = gzipSync(chunk.code).byteLength; // zlib default level (6), as servers use
        raw += Buffer.byteLength(chunk.code);
        gzip += size;
        lines.push(`  ${chunk.fileName}  ${kb(size)} gzip`);
        const serverModules = Object.keys(chunk.modules).filter(
          (id) =>
            /\/packages\/(?!.*node_modules)/.test(id) && !BROWSER_SAFE.some((re) => re.test(id)),
        );
        if (serverModules.length > 0) {
          this.error(`server code in the browser bundle:\n  ${serverModules.join('\n  ')}`);
        }
      }
      const verdict = gzip <= budget ? 'within' : 'OVER';
      console.log(
        `\nJS bundle: ${kb(raw)} raw, ${kb(gzip)} gzip (${verdict} the ${kb(budget)} budget)\n${lines.join('\n')}\n`,
      );
      if (gzip > budget) this.error(`JS bundle is ${kb(gzip)} gzip, over the ${kb(budget)} budget`);
    },
  };
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
