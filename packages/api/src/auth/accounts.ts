/**
 * Organizations, users and API keys. A user is named inside its organization; the key CLI's
 * --user, a session token's subject and Dify's `user` field all resolve through ensureUser, so
 * they are one identity.
 */
import type { Db } from '@parley/db';
import { isUniqueViolation } from '../data/db-errors.ts';
import { generateApiKey } from '../rules/api-key-crypto.ts';
import { newId } from '../rules/ids.ts';
import { NAME_PATTERN } from '../rules/names.ts';

export async function ensureOrganization(
  db: Db,
  slug: string,
): Promise<{ id: string; slug: string }> {
  return retryOnUniqueRace(() =>
    db.organization.upsert({
      where: { slug },
      create: { id: newId(), slug },
      update: {},
      select: { id: true, slug: true },
    }),
  );
}

export async function ensureUser(
  db: Db,
  orgId: string,
  name: string,
): Promise<{ id: string; name: string }> {
  return retryOnUniqueRace(() =>
    db.user.upsert({
      where: { orgId_name: { orgId, name } },
      create: { id: newId(), orgId, name },
      update: {},
      select: { id: true, name: true },
    }),
  );
}

/** Creates an organization and user if needed, and a new API key acting as that user. */
export async function createApiKey(db: Db, orgSlug: string, userName: string) {
  if (!NAME_PATTERN.test(orgSlug) || !NAME_PATTERN.test(userName)) {
    throw new Error(
      'Organization and user names must be 1-255 characters without control characters.',
    );
  }
  const org = await ensureOrganization(db, orgSlug);
  const user = await ensureUser(db, org.id, userName);
  const { key, hash, prefix } = generateApiKey();
  const row = await db.apiKey.create({
    data: { id: newId(), orgId: org.id, userId: user.id, hash, prefix },
  });
  return { key, id: row.id, prefix, org, user };
}

export async function revokeApiKey(db: Db, id: string): Promise<boolean> {
  const { count } = await db.apiKey.updateMany({
    where: { id, revokedAt: null },
    data: { revokedAt: new Date() },
  });
  return count === 1;
}

export interface ApiKeyListing {
  id: string;
  /** The first characters of the key: enough to recognise it, not to use it. */
  prefix: string;
  org: string;
  user: string;
  createdAt: Date;
  revokedAt: Date | null;
}

/** Every key (none of their secrets: only hashes are stored), oldest first, optionally of one org/user. */
export async function listApiKeys(
  db: Db,
  filter: { org?: string | undefined; user?: string | undefined } = {},
): Promise<ApiKeyListing[]> {
  const rows = await db.apiKey.findMany({
    where: {
      ...(filter.org !== undefined && { org: { slug: filter.org } }),
      ...(filter.user !== undefined && { user: { name: filter.user } }),
    },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    select: {
      id: true,
      prefix: true,
      createdAt: true,
      revokedAt: true,
      org: { select: { slug: true } },
      user: { select: { name: true } },
    },
  });
  return rows.map((row) => ({
    id: row.id,
    prefix: row.prefix,
    org: row.org.slug,
    user: row.user.name,
    createdAt: row.createdAt,
    revokedAt: row.revokedAt,
  }));
}

// Two first requests for the same new name can race to insert it; the loser reads the winner's row.
async function retryOnUniqueRace<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (isUniqueViolation(error)) return run();
    throw error;
  }
}
