/**
 * ChatGPT's data export (`conversations.json`): an array of conversations, each a tree of message
 * nodes (`mapping`: id → { message, parent, children }) where every edit or regeneration starts a
 * branch, and `current_node` is the leaf the user last saw. A conversation is imported as that
 * branch: from `current_node` up through the parents to the root, then put in order.
 *
 * What ChatGPT shows is what comes in: user and assistant text, and system text that was not
 * hidden. Left out and counted by reason: hidden messages (custom instructions, context), tool
 * output, the assistant's calls to tools, and content that is not text (code run, browsing,
 * reasoning). Images and files are not imported; a message that has text keeps its text.
 */
import { z } from 'zod';
import {
  contentProblem,
  countSkip,
  importKey,
  lenientTitle,
  IMPORT_DEFAULT_TITLE,
  SOURCE_ID_MAX_LENGTH,
  type CandidateMessage,
  type CandidateResult,
} from './import-candidate.ts';

/** Unix seconds (with a fraction), as ChatGPT writes its times. */
const unixSeconds = z.number().finite().min(0).max(32_503_680_000);

const conversationSchema = z.object({
  title: z.string().nullish(),
  create_time: unixSeconds.nullish(),
  update_time: unixSeconds.nullish(),
  mapping: z.record(z.string(), z.unknown()),
  current_node: z.string().nullish(),
  conversation_id: z.string().nullish(),
  id: z.string().nullish(),
  default_model_slug: z.string().nullish(),
});

const nodeSchema = z.object({
  message: z.unknown().optional(),
  parent: z.string().nullish(),
});

const messageSchema = z.object({
  author: z.object({ role: z.string() }),
  create_time: unixSeconds.nullish(),
  content: z.object({
    content_type: z.string(),
    parts: z.array(z.unknown()).nullish(),
  }),
  metadata: z
    .object({
      is_visually_hidden_from_conversation: z.boolean().nullish(),
      model_slug: z.string().nullish(),
    })
    .nullish(),
  recipient: z.string().nullish(),
});

type ChatGptMessage = z.output<typeof messageSchema>;

/** Whether a value looks like one conversation of ChatGPT's export. */
export function looksLikeChatGptConversation(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { mapping?: unknown }).mapping === 'object' &&
    (value as { mapping?: unknown }).mapping !== null
  );
}

/** The nodes of the current branch, root first; or why there is no such branch. */
function currentBranch(
  mapping: Record<string, unknown>,
  leaf: string,
): { ok: true; nodes: [string, unknown][] } | { ok: false; reason: string } {
  const nodes: [string, unknown][] = [];
  const seen = new Set<string>();
  let id: string | null | undefined = leaf;
  while (id !== null && id !== undefined) {
    if (seen.has(id)) return { ok: false, reason: `the message tree loops at node ${id}` };
    seen.add(id);
    if (!Object.hasOwn(mapping, id)) {
      return { ok: false, reason: `the current branch names node ${id}, which is not in mapping` };
    }
    const node = nodeSchema.safeParse(mapping[id]);
    if (!node.success) return { ok: false, reason: `node ${id} is not a message node` };
    nodes.push([id, node.data.message]);
    id = node.data.parent;
  }
  return { ok: true, nodes: nodes.reverse() };
}

/** The text of a message, or why it is left out. */
function textOf(
  message: ChatGptMessage,
  skipped: Record<string, number>,
): string | { skip: string } {
  const role = message.author.role;
  if (message.metadata?.is_visually_hidden_from_conversation) return { skip: 'hidden message' };
  if (role === 'tool') return { skip: 'tool output' };
  if (role !== 'user' && role !== 'assistant' && role !== 'system') {
    return { skip: `author role "${role}"` };
  }
  if (role === 'assistant' && message.recipient && message.recipient !== 'all') {
    return { skip: 'call to a tool' };
  }
  const type = message.content.content_type;
  if (type !== 'text' && type !== 'multimodal_text') return { skip: `${type} content` };
  const parts = message.content.parts ?? [];
  const texts = parts.filter((part): part is string => typeof part === 'string');
  if (texts.length < parts.length) countSkip(skipped, 'attachment (image or file) not imported');
  const text = texts.join('\n\n').toWellFormed().trim();
  return text ? text : { skip: 'empty message' };
}

export function chatGptCandidate(value: unknown): CandidateResult {
  if (!looksLikeChatGptConversation(value)) {
    return { ok: false, reason: 'not a ChatGPT conversation (no mapping)' };
  }
  const parsed = conversationSchema.safeParse(value);
  const rawId =
    (value as { conversation_id?: unknown }).conversation_id ?? (value as { id?: unknown }).id;
  const sourceId = typeof rawId === 'string' ? rawId.slice(0, SOURCE_ID_MAX_LENGTH) : undefined;
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, sourceId, reason: `${issue.path.join('.')}: ${issue.message}` };
  }
  const c = parsed.data;
  const id = c.conversation_id ?? c.id;
  if (!id) return { ok: false, reason: 'no conversation id, so a second import could not be told' };
  if (id.length > SOURCE_ID_MAX_LENGTH) {
    return { ok: false, sourceId, reason: 'conversation id longer than 200 characters' };
  }
  if (!c.current_node) return { ok: false, sourceId: id, reason: 'no current_node' };
  const branch = currentBranch(c.mapping, c.current_node);
  if (!branch.ok) return { ok: false, sourceId: id, reason: branch.reason };

  const skippedMessages: Record<string, number> = {};
  const messages: CandidateMessage[] = [];
  const start = c.create_time ?? c.update_time;
  let previous = start === null || start === undefined ? new Date() : new Date(start * 1000);
  let model: string | undefined;
  for (const [nodeId, raw] of branch.nodes) {
    // The tree's root, and nodes ChatGPT keeps without a message: structure, not content.
    if (raw === null || raw === undefined) continue;
    const message = messageSchema.safeParse(raw);
    if (!message.success) {
      countSkip(skippedMessages, 'unreadable message');
      continue;
    }
    const text = textOf(message.data, skippedMessages);
    if (typeof text !== 'string') {
      countSkip(skippedMessages, text.skip);
      continue;
    }
    const problem = contentProblem(text);
    if (problem) return { ok: false, sourceId: id, reason: `message ${nodeId} is ${problem}` };
    // A message without a time keeps its predecessor's, so the order stays the tree's.
    const at = message.data.create_time;
    const createdAt = at === null || at === undefined ? previous : new Date(at * 1000);
    previous = createdAt;
    const role = message.data.author.role as CandidateMessage['role'];
    if (role === 'assistant' && message.data.metadata?.model_slug) {
      model = message.data.metadata.model_slug;
    }
    messages.push({ role, content: text, createdAt });
  }
  if (messages.length === 0) {
    return { ok: false, sourceId: id, reason: 'no message to import on the current branch' };
  }

  const createdAt = c.create_time ? new Date(c.create_time * 1000) : messages[0]!.createdAt;
  const lastAt = messages.at(-1)!.createdAt;
  const updated = c.update_time ? new Date(c.update_time * 1000) : lastAt;
  const title = lenientTitle(c.title);
  const modelName = (c.default_model_slug ?? model ?? 'default').trim().slice(0, 200) || 'default';
  return {
    ok: true,
    candidate: {
      sourceId: id,
      key: importKey('chatgpt', id),
      title: title ?? IMPORT_DEFAULT_TITLE,
      // ChatGPT names its conversations itself; a person may rename them here.
      titleSource: title ? 'generated' : 'default',
      model: modelName,
      userDisplay: null,
      timezone: null,
      createdAt,
      updatedAt: updated < lastAt ? lastAt : updated,
      metadata: {},
      pinnedAt: null,
      archivedAt: null,
      messages,
      skippedMessages,
    },
  };
}
