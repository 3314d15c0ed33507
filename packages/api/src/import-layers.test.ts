/**
 * The package's modules form layers you can draw, and every import points down them (issue 12,
 * the house style): pure rules → data access → services → tRPC procedures → routers → entry
 * points. Modules within a layer may import each other, but nothing may loop, neither file to
 * file nor folder to folder. Tests sit beside their modules and are outside the layering, but
 * only they may import test tools.
 */
import { describe, expect, it } from 'vitest';
import { cyclesOf, readImportGraph, type SourceModule } from '../testing/import-graph.ts';

/** Bottom to top. A member ending in "/" is a folder of src/, otherwise a file of src/. */
const LAYERS: readonly (readonly [layer: string, members: readonly string[]])[] = [
  ['rules', ['rules/']],
  ['data access', ['data/']],
  ['services', ['auth/', 'deps/', 'conversation/', 'demo/', 'portability/']],
  ['tRPC procedures', ['trpc.ts']],
  ['routers', ['router/']],
  ['entry points', ['root.ts', 'index.ts']],
];

const TEST_TOOLS = /^(?:vitest|@fast-check\/vitest|\.\.\/testing\/)/;

const graph = readImportGraph();
const modules = [...graph.values()].filter((m) => !m.test);

function layerOf(file: string): number {
  return LAYERS.findIndex(([, members]) =>
    members.some((member) => (member.endsWith('/') ? file.startsWith(member) : file === member)),
  );
}

/** File → the files it imports. */
const fileEdges = new Map(modules.map((m) => [m.file, new Set(m.internal)]));

/** Folder → the other folders its files import; a file directly in src/ is its own folder. */
const folderOf = (file: string) => file.split('/')[0]!;
const folderEdges = new Map<string, Set<string>>();
for (const m of modules) {
  const from = folderEdges.get(folderOf(m.file)) ?? new Set();
  folderEdges.set(folderOf(m.file), from);
  for (const to of m.internal) if (folderOf(to) !== folderOf(m.file)) from.add(folderOf(to));
}

describe('packages/api import layers', () => {
  it('reads the graph: every source file, type-only imports included', () => {
    expect(modules.length).toBeGreaterThan(20);
    // principal.ts has only types to offer; its importers still depend on it.
    const importers = modules.filter((m) => m.internal.includes('auth/principal.ts'));
    expect(importers.map((m) => m.file)).toContain('conversation/conversations.ts');
  });

  it('puts every source file in exactly one layer', () => {
    const unplaced = modules.map((m) => m.file).filter((file) => layerOf(file) < 0);
    expect(unplaced, 'add these to LAYERS').toEqual([]);
  });

  it('has no import from a lower layer to a higher one', () => {
    const upward = modules.flatMap((m: SourceModule) =>
      m.internal
        .filter((to) => layerOf(to) > layerOf(m.file))
        .map(
          (to) => `${m.file} (${LAYERS[layerOf(m.file)]![0]}) → ${to} (${LAYERS[layerOf(to)]![0]})`,
        ),
    );
    expect(upward).toEqual([]);
  });

  it('has no loop between files', () => {
    expect(cyclesOf(fileEdges)).toEqual([]);
  });

  it('has no loop between folders', () => {
    expect(cyclesOf(folderEdges)).toEqual([]);
  });

  it('loads test tools only from tests', () => {
    const leaks = modules.flatMap((m) =>
      m.external.filter((spec) => TEST_TOOLS.test(spec)).map((spec) => `${m.file} → ${spec}`),
    );
    expect(leaks).toEqual([]);
  });
});
