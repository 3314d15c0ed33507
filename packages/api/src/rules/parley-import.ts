/**
 * Reading back Parley's own export (export-format.ts): the same rules as the API's inputs, since
 * the file may have been edited by hand. A conversation that breaks one is left out whole, with
 * the first problem as the reason.
 */
import { z } from 'zod';
import { EXPORT_FORMAT, EXPORT_VERSION } from './export-format.ts';
import {
  importKey,
  SOURCE_ID_MAX_LENGTH,
  type CandidateResult,
  type ImportCandidate,
} from './import-candidate.ts';
import { MESSAGE_CONTENT_MAX_LENGTH, MESSAGE_ROLES } from './message.ts';
import { createConversationInput, metadataSchema, titleSchema } from './schemas.ts';

const isoTime = z.iso.datetime({ offset: true }).transform((s) => new Date(s));

const messageSchema = z.object({
  role: z.enum(MESSAGE_ROLES),
  content: z
    .string()
    .min(1)
    .max(MESSAGE_CONTENT_MAX_LENGTH)
    .refine((s) => s.isWellFormed(), 'Invalid Unicode.'),
  createdAt: isoTime,
});

const documentSchema = z.object({
  format: z.literal(EXPORT_FORMAT),
  version: z.literal(EXPORT_VERSION),
  id: z.string().min(1).max(SOURCE_ID_MAX_LENGTH),
  title: titleSchema,
  titleSource: z.enum(['user', 'generated', 'default']).default('user'),
  model: createConversationInput.shape.model.nullable(),
  userDisplay: createConversationInput.shape.userDisplay.nullable(),
  timezone: createConversationInput.shape.timezone.nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
  metadata: metadataSchema.default({}),
  pinnedAt: isoTime.nullable().default(null),
  archivedAt: isoTime.nullable().default(null),
  messages: z.array(messageSchema),
});

/** Whether a value claims to be a Parley export (of any version). */
export function looksLikeParleyExport(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { format?: unknown }).format === EXPORT_FORMAT
  );
}

/** Whether this version of Parley reads that export's version. */
export function parleyVersionProblem(value: unknown): string | null {
  const version = (value as { version?: unknown }).version;
  return version === EXPORT_VERSION
    ? null
    : `Parley export version ${JSON.stringify(version)} is not supported (this server reads version ${EXPORT_VERSION}).`;
}

export function parleyCandidate(value: unknown): CandidateResult {
  const id = (value as { id?: unknown } | null)?.id;
  const sourceId = typeof id === 'string' ? id.slice(0, SOURCE_ID_MAX_LENGTH) : undefined;
  if (!looksLikeParleyExport(value)) return { ok: false, sourceId, reason: 'not a Parley export' };
  const versionProblem = parleyVersionProblem(value);
  if (versionProblem) return { ok: false, sourceId, reason: versionProblem };
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length > 0 ? issue.path.join('.') : 'the conversation';
    return { ok: false, sourceId, reason: `${where}: ${issue.message}` };
  }
  const d = parsed.data;
  const candidate: ImportCandidate = {
    sourceId: d.id,
    key: importKey('parley', d.id),
    title: d.title,
    titleSource: d.titleSource,
    model: d.model ?? 'default',
    userDisplay: d.userDisplay ?? null,
    timezone: d.timezone ?? null,
    createdAt: d.createdAt,
    updatedAt: d.updatedAt,
    metadata: d.metadata,
    pinnedAt: d.pinnedAt,
    archivedAt: d.archivedAt,
    messages: d.messages,
    skippedMessages: {},
  };
  return { ok: true, candidate };
}
