/** Every REST face Parley answers; each is a thin translator onto the tRPC router. */
import { difyFace } from './dify.ts';
import { florentFace } from './florent.ts';
import type { Face } from './kit/route.ts';
import { orqFace } from './orq.ts';
import { ragFace } from './rag.ts';

export const faces: Face[] = [florentFace, orqFace, ragFace, difyFace];

/** The face whose routes a path belongs to (by the longest static prefix), if any. */
export function faceForPath(all: Face[], path: string): Face | undefined {
  let best: { face: Face; length: number } | undefined;
  for (const face of all) {
    for (const r of face.routes) {
      const prefix = r.path.split('{')[0]!.replace(/\/$/, '');
      if (
        (path === prefix || path.startsWith(`${prefix}/`)) &&
        prefix.length > (best?.length ?? 0)
      ) {
        best = { face, length: prefix.length };
      }
    }
  }
  return best?.face;
}

/**
 * The first segment of every face's paths (/api, /v1, /v2): whole namespaces that belong to the
 * faces, where an unknown path is the face's 404 and never a page of the web app.
 */
export function faceNamespaces(all: Face[]): string[] {
  return [...new Set(all.flatMap((face) => face.routes.map((r) => `/${r.path.split('/')[1]}`)))];
}
