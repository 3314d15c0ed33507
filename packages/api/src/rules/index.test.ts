/**
 * @parley/api/rules is what the web app bundles and the bench's baselines load instead of copying
 * the rules: it must never pull in Prisma, the router, or anything the browser lacks. Checked on
 * the import graph from the entry the package exports, through every module it reaches.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { closureOf, readImportGraph, SRC } from '../../testing/import-graph.ts';
import * as rules from './index.ts';

const graph = readImportGraph();
const exported = JSON.parse(readFileSync(path.join(SRC, '../package.json'), 'utf8')) as {
  exports: Record<string, string>;
};

/** The source file (relative to src/) behind one of the package's export paths. */
const entry = (exportPath: string) => path.posix.relative('./src', exported.exports[exportPath]!);

/** The packages a module loads, through every module of src/ it reaches. */
const packagesLoadedBy = (file: string) =>
  [...new Set(closureOf(graph, file).flatMap((m) => m.external))].sort();

// The same globals the web app's lint refuses in its own sources.
const NODE_GLOBALS = new Set(['process', 'Buffer', '__dirname', 'require']);

/** Whether the code of a src/ file names a Node global (comments and strings aside). */
function usesNodeGlobal(file: string): boolean {
  const text = readFileSync(path.join(SRC, file), 'utf8');
  const visit = (node: ts.Node): boolean =>
    (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text)) || ts.forEachChild(node, visit) === true;
  return visit(ts.createSourceFile(file, text, ts.ScriptTarget.Latest));
}

describe('@parley/api/rules', () => {
  it('loads no workspace package and no Node built-in: only ulid', () => {
    expect(entry('./rules')).toBe('rules/index.ts');
    expect(packagesLoadedBy('rules/index.ts')).toEqual(['ulid']);
  });

  it('uses no Node global in any module it loads', () => {
    const users = closureOf(graph, 'rules/index.ts').filter((m) => usesNodeGlobal(m.file));
    expect(users.map((m) => m.file)).toEqual([]);
    expect(usesNodeGlobal('rules/cursor.ts')).toBe(true); // Buffer: why cursors are not here
  });

  it('offers what the other packages use instead of copies', () => {
    expect(Object.keys(rules).sort()).toEqual(
      [
        'API_KEY_PREFIX',
        'ID_FORMATS',
        'MESSAGE_CONTENT_MAX_LENGTH',
        'MESSAGE_ROLES',
        'METADATA_KEY_MAX_LENGTH',
        'METADATA_MAX_PAIRS',
        'METADATA_VALUE_MAX_LENGTH',
        'metadataProblems',
        'NAME_PATTERN',
        'TITLE_MAX_GRAPHEMES',
        'countGraphemes',
        'etagOf',
        'looksLikeApiKey',
        'newId',
        'normalizeTitle',
        'parseBearer',
        'parseId',
        'renderId',
        'takeGraphemes',
        'versionFromIfMatch',
      ].sort(),
    );
  });
});

describe('@parley/api/rules/api-key-crypto', () => {
  it('loads node:crypto and nothing else: the bench hashes keys without the router', () => {
    expect(entry('./rules/api-key-crypto')).toBe('rules/api-key-crypto.ts');
    expect(packagesLoadedBy('rules/api-key-crypto.ts')).toEqual(['node:crypto']);
  });
});

describe('the rules layer', () => {
  it('loads no workspace package, no Prisma and no tRPC', () => {
    const rulesModules = [...graph.values()].filter((m) => m.file.startsWith('rules/') && !m.test);
    const loaded = new Set(rulesModules.flatMap((m) => m.external));
    expect([...loaded].filter((p) => /^(?:@parley|@prisma|@trpc)\//.test(p))).toEqual([]);
  });
});
