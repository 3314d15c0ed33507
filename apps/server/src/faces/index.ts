/** Every REST face Parley answers; each is a thin translator onto the tRPC router. */
import { difyFace } from './dify.ts';
import { florentFace } from './florent.ts';
import type { Face } from './kit/route.ts';
import { orqFace } from './orq.ts';
import { ragFace } from './rag.ts';

export const faces: Face[] = [florentFace, orqFace, ragFace, difyFace];
