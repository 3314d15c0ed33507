/**
 * PARLEY_RAG_OPEN_AS, resolved at start-up: the user the RAG face acts as for requests that carry
 * no credentials. The organization and user are created if needed, as the key CLI creates the
 * ones it names; the principal is a session's, so it acts only as itself.
 */
import { ensureOrganization, ensureUser, type Principal } from '@parley/api';
import type { Db } from '@parley/db';

export async function openAccessPrincipal(
  db: Db,
  { org, user }: { org: string; user: string },
): Promise<Principal> {
  const organization = await ensureOrganization(db, org);
  const member = await ensureUser(db, organization.id, user);
  return { orgId: organization.id, userId: member.id, userName: member.name, via: 'session' };
}
