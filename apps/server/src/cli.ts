/**
 * Operator commands against the same database as the server (safe while it runs: SQLite WAL):
 *   parley keys create --org <org> --user <user>   prints the new key alone on the last line
 *   parley keys list [--org <org>] [--user <user>] ids, prefixes, owners, created/revoked times
 *   parley keys revoke <key id>
 */
import { parseArgs } from 'node:util';
import { createApiKey, listApiKeys, revokeApiKey, type ApiKeyListing } from '@parley/api';
import { openDatabase, type DatabaseHandle, type Db } from '@parley/db';
import { migrateDeploy } from '@parley/db/migrate';
import { loadConfig } from './config.ts';

const USAGE = `Usage:
  parley keys create --org <org> --user <user>
  parley keys list [--org <org>] [--user <user>]
  parley keys revoke <key id>`;

/** Keys as an aligned table, one per line, with a header; no secret is stored to show. */
function keyTable(keys: ApiKeyListing[]): string {
  const rows = [
    ['ID', 'PREFIX', 'ORG', 'USER', 'CREATED', 'REVOKED'],
    ...keys.map((k) => [
      k.id,
      `${k.prefix}…`,
      k.org,
      k.user,
      k.createdAt.toISOString(),
      k.revokedAt?.toISOString() ?? '-',
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

async function run(argv: string[], db: Db): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      org: { type: 'string' },
      user: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [group, command, arg] = positionals;
  if (values.help || group !== 'keys') {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  if (command === 'create' && values.org && values.user) {
    const created = await createApiKey(db, values.org, values.user);
    console.log(
      `Created API key ${created.id} (${created.prefix}…) for user "${created.user.name}" of "${created.org.slug}".`,
    );
    console.log('It is shown only this once; Parley keeps only its hash.');
    console.log(created.key);
    return 0;
  }
  if (command === 'list' && !arg) {
    const keys = await listApiKeys(db, { org: values.org, user: values.user });
    console.log(keys.length > 0 ? keyTable(keys) : 'No API keys.');
    return 0;
  }
  if (command === 'revoke' && arg) {
    const revoked = await revokeApiKey(db, arg);
    console.log(revoked ? `Revoked ${arg}.` : `No active key ${arg}.`);
    return revoked ? 0 : 1;
  }
  console.error(USAGE);
  return 2;
}

const config = loadConfig();
let database: DatabaseHandle | undefined;
try {
  database = await openDatabase(config.database);
  await migrateDeploy(database.target);
  process.exitCode = await run(process.argv.slice(2), database.db);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  await database?.close();
}
