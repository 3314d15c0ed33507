// `tsx src/migrate/cli.ts create <name> | deploy | status | drift`: the offline stand-in for
// `prisma migrate dev --create-only | deploy | status` and `prisma migrate diff --exit-code`.
// deploy and status act on DATABASE_URL (a file: URL) or <PARLEY_DATA_DIR>/parley.db,
// PARLEY_DATA_DIR defaulting to <repo>/data, the same file the server opens.
import path from 'node:path';
import { databaseLocationFromEnv, resolveSqlitePath } from '../client.ts';
import {
  DEFAULT_MIGRATIONS_DIR,
  checkDrift,
  migrateCreate,
  migrateDeploy,
  migrateStatus,
  type MigrationStatus,
} from './index.ts';

const USAGE = `Usage: tsx src/migrate/cli.ts <command>

  create <name>  write prisma/migrations/<timestamp>_<name>/migration.sql for schema changes
  deploy         apply pending migrations to the database
  status         list applied, pending and failed migrations (exit 1 unless up to date)
  drift          check that the migrations produce schema.prisma (exit 1 and print the
                 missing SQL if not)

The database is DATABASE_URL (file: URL) or <PARLEY_DATA_DIR>/parley.db (default ./data).`;

const callerDir = process.env.INIT_CWD ?? process.cwd();

function relative(file: string): string {
  const shown = path.relative(callerDir, file);
  return shown.startsWith('..') ? file : shown || '.';
}

function printStatus(file: string, status: MigrationStatus): void {
  console.log(`Database: ${relative(file)}${status.databaseExists ? '' : ' (does not exist yet)'}`);
  console.log(`Migrations: ${relative(DEFAULT_MIGRATIONS_DIR)} (${status.local.length} found)`);
  const list = (title: string, names: string[]) => {
    if (names.length === 0) return;
    console.log(`\n${title}:`);
    for (const name of names) console.log(`  ${name}`);
  };
  list(
    'Applied',
    status.applied.map((m) => `${m.name}  (${m.finishedAt})`),
  );
  list('Pending', status.pending);
  list('Failed (resolve by hand before the next deploy)', status.failed);
  list('Edited after they were applied', status.edited);
  list('In the database but not in the migrations directory', status.unknown);
  console.log(
    status.upToDate ? '\nDatabase schema is up to date.' : '\nDatabase is NOT up to date.',
  );
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'create': {
      const [name, ...extra] = rest;
      if (!name || extra.length > 0) {
        console.error('Usage: create <name>   e.g. create add_conversation_tags');
        return 2;
      }
      const created = await migrateCreate(name);
      if (!created) {
        console.log(
          'No schema changes: the migrations already produce schema.prisma. Nothing written.',
        );
        return 0;
      }
      console.log(`Created ${relative(path.join(created.path, 'migration.sql'))}\n`);
      console.log(created.sql);
      return 0;
    }
    case 'deploy': {
      const file = resolveSqlitePath(databaseLocationFromEnv());
      const started = performance.now();
      const applied = await migrateDeploy({ file });
      const ms = Math.round(performance.now() - started);
      if (applied.length === 0) {
        console.log(`${relative(file)}: no pending migrations (${ms} ms).`);
      } else {
        console.log(`${relative(file)}: applied ${applied.length} migration(s) in ${ms} ms:`);
        for (const name of applied) console.log(`  ${name}`);
      }
      return 0;
    }
    case 'status': {
      const file = resolveSqlitePath(databaseLocationFromEnv());
      const status = await migrateStatus({ file });
      printStatus(file, status);
      return status.upToDate ? 0 : 1;
    }
    case 'drift': {
      const report = await checkDrift();
      if (!report.drifted) {
        console.log('No drift: the migrations produce exactly schema.prisma.');
        return 0;
      }
      console.error(
        'Drift: schema.prisma has changes no migration captures. Run `pnpm db:migrate:create <name>`.\n' +
          'Missing SQL:\n',
      );
      console.log(report.sql);
      return 1;
    }
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      console.log(USAGE);
      return command === undefined ? 2 : 0;
    default:
      console.error(`Unknown command "${command}".\n\n${USAGE}`);
      return 2;
  }
}

// `pnpm --filter … run migrate:create -- <name>` passes the `--` through; ignore it.
const args = process.argv.slice(2).filter((arg, index) => !(index <= 1 && arg === '--'));

main(args).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
