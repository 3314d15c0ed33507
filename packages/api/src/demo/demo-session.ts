/**
 * Demo mode ("Try the demo", off unless the operator turns it on): every visitor gets a user of
 * their own in the `demo` organization, so visitors never see each other's conversations, and a
 * couple of sample conversations to look at.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '@parley/db';
import { ensureOrganization, ensureUser } from '../auth/accounts.ts';
import type { Principal } from '../auth/principal.ts';
import type { SessionIdentity } from '../auth/session-tokens.ts';
import { createConversation } from '../conversation/conversations.ts';
import { appendMessage } from '../conversation/messages.ts';
import type { ConversationEvents } from '../deps/conversation-events.ts';

export const DEMO_ORG = 'demo';

const SAMPLES = [
  {
    title: 'Planning a weekend in Lisbon 🇵🇹',
    messages: [
      ['user', 'Two days in Lisbon in May: what should I not miss?'],
      [
        'assistant',
        'Alfama at sunrise, a tram 28 ride, pastéis de Belém, and sunset at a miradouro.',
      ],
    ],
  },
  {
    title: 'Sourdough troubleshooting',
    messages: [['user', 'My loaf is dense and gummy inside. Under-proofed?']],
  },
] as const;

export async function createDemoSession(
  db: Db,
  events: ConversationEvents,
): Promise<SessionIdentity> {
  const org = await ensureOrganization(db, DEMO_ORG);
  // 80 random bits: unguessable, so one visitor cannot name another's user.
  const user = await ensureUser(db, org.id, `visitor-${randomBytes(10).toString('hex')}`);
  const caller: Principal = { orgId: org.id, userId: user.id, userName: user.name, via: 'session' };
  for (const sample of SAMPLES) {
    const conversation = await createConversation(db, caller, { title: sample.title }, events);
    for (const [role, content] of sample.messages) {
      await appendMessage(db, caller, { conversationId: conversation.id, role, content }, events);
    }
  }
  return { org: org.slug, user: user.name, demo: true };
}

/**
 * Deletes the demo visitors created before `createdBefore`, with everything they own (their
 * conversations, messages and keys go with them: the schema cascades), and returns how many. A
 * deleted visitor's session then names no user and signs out; an open stream ends.
 */
export async function deleteExpiredDemoVisitors(db: Db, createdBefore: Date): Promise<number> {
  const org = await db.organization.findUnique({ where: { slug: DEMO_ORG }, select: { id: true } });
  if (!org) return 0;
  const { count } = await db.user.deleteMany({
    where: { orgId: org.id, createdAt: { lt: createdBefore } },
  });
  return count;
}
