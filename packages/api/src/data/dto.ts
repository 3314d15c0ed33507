/**
 * What the router returns for stored rows: conversations and messages as plain JSON, timestamps as
 * ISO strings. One module for both, so the live-change events, the services and the REST faces
 * all name the same shapes without importing each other.
 */
import type { Conversation, Message } from '@parley/db';
import { parseStoredMetadata, type Metadata } from '../rules/metadata.ts';

/** Where a title came from: a person, the title generator, or the default for an untitled create. */
export type TitleSource = 'user' | 'generated' | 'default';

/** A conversation as the router returns it: plain JSON, timestamps as ISO strings. */
export interface ConversationDto {
  /** The canonical id (ULID). */
  id: string;
  title: string;
  titleSource: TitleSource;
  model: string;
  userDisplay: string | null;
  timezone: string | null;
  /** 1 at creation, +1 on every change; the optimistic-concurrency token. */
  version: number;
  messageCount: number;
  lastMessageAt: string | null;
  /** When the owner pinned it, or null. */
  pinnedAt: string | null;
  /** When the owner archived it (left out of lists unless asked for), or null. */
  archivedAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** The owner (a user of the organization). */
  userId: string;
  createdById: string;
  updatedById: string;
  /** Free-form string pairs, `{}` when none were set. */
  metadata: Metadata;
}

export function toConversationDto(row: Conversation): ConversationDto {
  return {
    id: row.id,
    title: row.title,
    titleSource: row.titleSource as TitleSource,
    model: row.model,
    userDisplay: row.userDisplay,
    timezone: row.timezone,
    version: row.version,
    messageCount: row.messageCount,
    lastMessageAt: row.lastMessageAt?.toISOString() ?? null,
    pinnedAt: row.pinnedAt?.toISOString() ?? null,
    archivedAt: row.archivedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    userId: row.userId,
    createdById: row.createdById,
    updatedById: row.updatedById,
    metadata: parseStoredMetadata(row.metadata),
  };
}

/** A message as the router returns it. */
export interface MessageDto {
  id: string;
  conversationId: string;
  role: Message['role'];
  content: string;
  createdAt: string;
}

export function toMessageDto(row: Message): MessageDto {
  return {
    id: row.id,
    conversationId: row.conversationId,
    role: row.role,
    content: row.content,
    createdAt: row.createdAt.toISOString(),
  };
}
