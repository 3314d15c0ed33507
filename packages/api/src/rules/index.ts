/**
 * @parley/api/rules: the pure rules other packages need, importable without Prisma, tRPC or Node
 * built-ins, so the web app bundles them and the bench's baselines run them without loading the
 * router. Import them from here; never copy them (index.test.ts holds this entry to that).
 */
export { parseId, renderId, newId, ID_FORMATS, type IdFormat } from './ids.ts';
export {
  normalizeTitle,
  countGraphemes,
  takeGraphemes,
  TITLE_MAX_GRAPHEMES,
  type TitleProblem,
  type TitleResult,
} from './title.ts';
export { MESSAGE_ROLES, MESSAGE_CONTENT_MAX_LENGTH, type MessageRole } from './message.ts';
export {
  metadataProblems,
  METADATA_MAX_PAIRS,
  METADATA_KEY_MAX_LENGTH,
  METADATA_VALUE_MAX_LENGTH,
  type Metadata,
  type MetadataProblem,
} from './metadata.ts';
export { etagOf, versionFromIfMatch } from './etag.ts';
export { API_KEY_PREFIX, looksLikeApiKey, parseBearer } from './api-key.ts';
export { NAME_PATTERN } from './names.ts';
