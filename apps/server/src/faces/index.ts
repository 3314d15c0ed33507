/** Every REST face Parley answers; each is a thin translator onto the tRPC router. */
import { difyFace } from './dify.ts';
import { florentFace } from './florent.ts';
import type { Face } from './kit/route.ts';
import { openAiFace } from './openai.ts';
import { orqFace } from './orq.ts';
import { ragFace } from './rag.ts';

/** A route's leading path segments, up to its first parameter: /v1/conversations/{id}/name → v1, conversations. */
function staticSegments(routePath: string): string[] {
  return routePath.split('{')[0]!.split('/').filter(Boolean);
}

/**
 * The path a face owns: the shortest leading part of its routes' common prefix that no other
 * face's routes share (/v1 for Dify, /v2 for orq, /api/florent and /api/conversations under a
 * shared /api). Inside it, unknown paths and wrong methods answer in the face's shape.
 */
export function facePrefix(all: Face[], face: Face): string {
  const paths = face.routes.map((r) => staticSegments(r.path));
  const common = paths.reduce((a, b) => a.filter((segment, i) => b[i] === segment));
  const others = all
    .filter((f) => f !== face)
    .flatMap((f) => f.routes.map((r) => staticSegments(r.path)));
  for (let length = 1; length <= common.length; length++) {
    const candidate = common.slice(0, length);
    if (!others.some((other) => candidate.every((segment, i) => other[i] === segment))) {
      return `/${candidate.join('/')}`;
    }
  }
  throw new Error(`face ${face.name} has no path of its own`);
}

/** The faces, each with the prefix it owns among them. */
function withPrefixes(all: Face[]): Face[] {
  return all.map((face) => ({ ...face, prefix: facePrefix(all, face) }));
}

export const faces: Face[] = withPrefixes([florentFace, orqFace, ragFace, difyFace, openAiFace]);

/** The face whose prefix a path is under, if any. */
export function faceForPath(all: Face[], path: string): Face | undefined {
  return all.find((face) => {
    const prefix = face.prefix ?? facePrefix(all, face);
    return path === prefix || path.startsWith(`${prefix}/`);
  });
}

/**
 * The first segment of every face's paths (/api, /v1, /v2): whole namespaces that belong to the
 * faces, where an unknown path is the face's 404 and never a page of the web app.
 */
export function faceNamespaces(all: Face[]): string[] {
  return [...new Set(all.flatMap((face) => face.routes.map((r) => `/${r.path.split('/')[1]}`)))];
}
