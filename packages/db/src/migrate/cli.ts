// `tsx src/migrate/cli.ts create <name> | deploy | status | drift`: the offline stand-in for
// `prisma migrate dev --create-only | deploy | status` and `prisma migrate diff --exit-code`.
// They act on the database the server opens: DATABASE_URL (a file: URL, or a PostgreSQL URL)
// or <PARLEY_DATA_DIR>/parley.db, PARLEY_DATA_DIR defaulting to <repo>/data. With a PostgreSQL
// URL, create and drift work on PostgreSQL's migrations, using scratch databases on that server.
import path from 'node:path';
import {
  databaseLocationFromEnv,
  databaseProvider,
  redactUrl,
  resolveSqlitePath,
} from '../client.ts';
import {
  DEFAULT_MIGRATIONS_DIR,
  POSTGRES_MIGRATIONS_DIR,
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

The database is DATABASE_URL (a file: URL, or postgresql://… for PostgreSQL, whose
migrations are prisma/postgresql/migrations) or <PARLEY_DATA_DIR>/parley.db (default ./data).`;

const callerDir = process.env.INIT_CWD ?? process.cwd();

function relative(file: string): string {
  const shown = path.relative(callerDir, file);
  return shown.startsWith('..') ? file : shown || '.';
}

/** The database the environment names, as the migration functions take it. */
function target(): { file: string; shown: string } | { url: string; shown: string } {
  const location = databaseLocationFromEnv();
  if ('url' in location && databaseProvider(location) === 'postgresql') {
    return { url: location.url, shown: redactUrl(location.url) };
  }
  const file = resolveSqlitePath(location);
  return { file, shown: relative(file) };
}

/** The PostgreSQL URL in the environment, if it names one (create and drift). */
function postgresUrl(): string | undefined {
  const location = databaseLocationFromEnv();
  return 'url' in location && databaseProvider(location) === 'postgresql'
    ? location.url
    : undefined;
}

function printStatus(shown: string, status: MigrationStatus, migrationsDir: string): void {
  console.log(`Database: ${shown}${status.databaseExists ? '' : ' (does not exist yet)'}`);
  console.log(`Migrations: ${relative(migrationsDir)} (${status.local.length} found)`);
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
      const created = await migrateCreate(name, { url: postgresUrl() });
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
      const { shown, ...database } = target();
      const started = performance.now();
      const applied = await migrateDeploy(database);
      const ms = Math.round(performance.now() - started);
      if (applied.length === 0) {
        console.log(`${shown}: no pending migrations (${ms} ms).`);
      } else {
        console.log(`${shown}: applied ${applied.length} migration(s) in ${ms} ms:`);
        for (const name of applied) console.log(`  ${name}`);
      }
      return 0;
    }
    case 'status': {
      const { shown, ...database } = target();
      const status = await migrateStatus(database);
      printStatus(
        shown,
        status,
        'url' in database ? POSTGRES_MIGRATIONS_DIR : DEFAULT_MIGRATIONS_DIR,
      );
      return status.upToDate ? 0 : 1;
    }
    case 'drift': {
      const report = await checkDrift({ url: postgresUrl() });
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
