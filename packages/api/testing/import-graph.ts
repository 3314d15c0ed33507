/**
 * The import graph of packages/api's sources, read with TypeScript's own parser, for the tests
 * that hold the package's layering and its Prisma-free rules entry. Every static `import` and
 * `export … from` counts, type-only ones included (a type import still ties two modules
 * together), and so do `import()` calls and `import('…')` types.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const SRC = path.resolve(import.meta.dirname, '../src');

export interface SourceModule {
  /** Relative to src/, with forward slashes: "auth/principal.ts". */
  file: string;
  test: boolean;
  /** The files of src/ it imports (relative to src/). */
  internal: string[];
  /** Everything else it imports: packages as written ("zod", "node:crypto", "@parley/db"), and
   * files outside src/ relative to src/ ("../testing/router-harness.ts"). */
  external: string[];
}

/** Every .ts file under src/, with what it imports. */
export function readImportGraph(): Map<string, SourceModule> {
  const graph = new Map<string, SourceModule>();
  for (const entry of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
    if (!entry.endsWith('.ts')) continue;
    const file = entry.split(path.sep).join('/');
    const module: SourceModule = {
      file,
      test: file.endsWith('.test.ts'),
      internal: [],
      external: [],
    };
    for (const specifier of specifiersOf(path.join(SRC, file))) {
      if (!specifier.startsWith('.')) {
        module.external.push(specifier);
        continue;
      }
      const target = path.resolve(SRC, path.dirname(file), specifier);
      if (!existsSync(target)) throw new Error(`${file}: cannot resolve ${specifier}`);
      const relative = path.relative(SRC, target).split(path.sep).join('/');
      (relative.startsWith('../') ? module.external : module.internal).push(relative);
    }
    graph.set(file, module);
  }
  return graph;
}

function specifiersOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: string[] = [];
  const literal = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) found.push(node.text);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) literal(node.moduleSpecifier);
    else if (
      ts.isImportEqualsDeclaration(node) &&
      ts.isExternalModuleReference(node.moduleReference)
    )
      literal(node.moduleReference.expression);
    else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword)
      literal(node.arguments[0]);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument))
      literal(node.argument.literal);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The files `entry` loads, itself included, following internal imports. */
export function closureOf(graph: Map<string, SourceModule>, entry: string): SourceModule[] {
  const seen = new Set<string>();
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const module = graph.get(file);
    if (!module) throw new Error(`${file} is not a source file`);
    queue.push(...module.internal);
  }
  return [...seen].sort().map((file) => graph.get(file)!);
}

/**
 * The loops of a directed graph: its strongly connected components with more than one node, or
 * a node that reaches itself (Tarjan's algorithm; recursive, as the graph is a few dozen files).
 */
export function cyclesOf(edges: Map<string, Set<string>>): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const connect = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter++);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!index.has(next)) {
        connect(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node)!, index.get(next)!));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component: string[] = [];
    let member: string | undefined;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== node);
    if (component.length > 1 || edges.get(node)?.has(node)) cycles.push(component.sort());
  };
  for (const node of edges.keys()) if (!index.has(node)) connect(node);
  return cycles;
}
