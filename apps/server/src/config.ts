/**
 * Server configuration, read once from the environment and validated: a bad value stops the
 * server at start-up with a message that names the variable, instead of failing later.
 */
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { NAME_PATTERN } from '@parley/api/rules';
import { dataDirFromEnv, databaseLocationFromEnv } from '@parley/db';
import { z } from 'zod';

/** The repository root: the default data directory lives under it whatever the working directory. */
const REPO_ROOT = path.resolve(import.meta.dirname, '../../..');

// `pnpm start` runs the server from apps/server; relative paths given by a person mean the
// directory they typed the command in (pnpm and npm pass it as INIT_CWD).
const resolveFromCaller = (p: string) => path.resolve(process.env.INIT_CWD ?? process.cwd(), p);

/**
 * Defaults of the settings that the Express app also takes from its callers directly (tests start
 * it without an environment): written once, here, for both.
 */
export const DEFAULT_BODY_LIMIT = '64kb';
/**
 * The largest /trpc request body. The largest valid call, 20 messages of 32,000 characters each,
 * is up to 1.9 MB as UTF-8 and twice that with every character JSON-escaped: 4mb refuses nothing
 * valid and still bounds what one request can make the server hold.
 */
export const DEFAULT_TRPC_BODY_LIMIT = '4mb';
/** The largest import file (POST /api/import): a ChatGPT export of years of chats is this big. */
export const DEFAULT_IMPORT_LIMIT = '256mb';

const SIZE = /^(\d+)(b|kb|mb|gb)$/i;
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** Bytes of a size such as 64kb or 256mb. */
export function sizeInBytes(size: string): number {
  const match = SIZE.exec(size);
  if (!match) throw new Error(`not a size: ${size}`);
  return Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!;
}
/** A size setting, such as 64kb or 1gb, kept as written. */
const size = (fallback: string) =>
  z.string().regex(SIZE, 'a size such as 64kb, 4mb or 1gb').default(fallback);

export const DEFAULT_RATE_LIMITS = { perCredential: 3000, perIp: 6000 };

const emptyAsUndefined = (value: unknown) => (value === '' ? undefined : value);
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess(emptyAsUndefined, schema.optional());

/** A yes/no setting: 1/0, true/false, yes/no or on/off; `byDefault` when unset. */
const flag = (byDefault: boolean) =>
  z.preprocess(
    emptyAsUndefined,
    z
      .enum(
        ['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'],
        'must be 1/0, true/false, yes/no or on/off',
      )
      .optional()
      .transform((v) =>
        v === undefined ? byDefault : v === '1' || v === 'true' || v === 'yes' || v === 'on',
      ),
  );

/** Express's `trust proxy`: true/false, a hop count, or addresses/subnets ("loopback, 10.0.0.0/8"). */
const trustProxy = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .optional()
    .transform((v): boolean | number | string => {
      if (v === undefined || v === 'false') return false;
      if (v === 'true') return true;
      return /^\d+$/.test(v) ? Number(v) : v;
    }),
);

/**
 * PARLEY_RAG_OPEN_AS: "<org>/<user>" (split at the first slash), each part a name as the key CLI
 * takes it.
 */
const openAs = optional(
  z
    .string()
    .transform((value) => {
      const slash = value.indexOf('/');
      return slash < 0
        ? { org: value, user: '' }
        : { org: value.slice(0, slash), user: value.slice(slash + 1) };
    })
    .refine(
      ({ org, user }) => NAME_PATTERN.test(org) && NAME_PATTERN.test(user),
      'must be <org>/<user>, e.g. acme/kiosk (names without control characters)',
    ),
);

/** More would be a typo, not a machine: each worker is a whole server (some 40-60 MB). */
export const MAX_WORKERS = 256;

/** PARLEY_WORKERS: how many server processes share the port; `auto` is one per available CPU. */
const workers = z.preprocess(
  emptyAsUndefined,
  z
    .string()
    .regex(/^(auto|\d+)$/, 'must be a whole number of processes (1 or more) or auto')
    .optional()
    .transform((v) => (v === undefined ? 1 : v === 'auto' ? availableParallelism() : Number(v)))
    .pipe(
      z
        .number()
        .int()
        .min(1, 'must be at least 1 (1 runs one process, as without the setting)')
        .max(MAX_WORKERS, `must be at most ${MAX_WORKERS}`),
    ),
);

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    PARLEY_WORKERS: workers,
    PARLEY_DATA_DIR: optional(z.string()),
    DATABASE_URL: optional(
      z
        .string()
        .regex(
          /^(file:|postgres(ql)?:\/\/)/i,
          'must be a file: URL (the embedded SQLite database) or a postgresql:// or postgres:// ' +
            'URL (PostgreSQL)',
        ),
    ),
    PARLEY_JWT_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
    PARLEY_JWKS_URL: optional(z.url({ protocol: /^https?$/ })),
    PARLEY_JWT_ISSUER: optional(z.string()),
    PARLEY_JWT_AUDIENCE: optional(z.string()),
    /** Signs the web app's session cookies; default: a random secret kept in the data directory. */
    PARLEY_SESSION_SECRET: optional(z.string().min(32, 'must be at least 32 characters')),
    /** "Try the demo" on the sign-in page: each visitor gets an own user in the demo org. */
    PARLEY_DEMO: flag(false),
    /** How long a demo visitor and its conversations are kept (hours; fractions allowed). */
    PARLEY_DEMO_TTL_HOURS: z.coerce
      .number()
      .positive()
      .max(24 * 365)
      .default(24),
    /** Behind a TLS-terminating proxy: trust its X-Forwarded-* (session cookies become Secure). */
    PARLEY_TRUST_PROXY: trustProxy,
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /** How long SIGTERM waits for in-flight requests before closing connections. */
    PARLEY_SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
    /** Largest accepted REST request body; larger ones are 413 in the face's error shape. */
    PARLEY_BODY_LIMIT: size(DEFAULT_BODY_LIMIT),
    /** Largest accepted /trpc request body; larger ones are 413 in tRPC's error envelope. */
    PARLEY_TRPC_BODY_LIMIT: size(DEFAULT_TRPC_BODY_LIMIT).transform(sizeInBytes),
    /** Largest import file (POST /api/import); larger ones are 413. */
    PARLEY_IMPORT_LIMIT: size(DEFAULT_IMPORT_LIMIT).transform(sizeInBytes),
    PARLEY_RATE_LIMIT_PER_KEY: z.coerce
      .number()
      .int()
      .min(0)
      .default(DEFAULT_RATE_LIMITS.perCredential),
    PARLEY_RATE_LIMIT_PER_IP: z.coerce.number().int().min(0).default(DEFAULT_RATE_LIMITS.perIp),
    /** Comma-separated browser origins allowed by CORS, e.g. https://chat.example.com. */
    PARLEY_CORS_ORIGINS: z
      .string()
      .default('')
      .transform((list) =>
        list
          .split(',')
          .map((origin) => origin.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url({ protocol: /^https?$/ }))),
    /** Slow clients: the whole request, and its headers, must arrive within these. */
    PARLEY_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1000).default(30_000),
    PARLEY_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1000).default(10_000),
    /** An OpenAI-compatible endpoint for automatic titles; without it the local generator is used. */
    PARLEY_TITLE_API_URL: optional(z.url({ protocol: /^https?$/ })),
    PARLEY_TITLE_API_KEY: optional(z.string()),
    PARLEY_TITLE_MODEL: z.string().min(1).default('gpt-4o-mini'),
    PARLEY_TITLE_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    /** Name a conversation with the title generator when its first user message arrives. */
    PARLEY_AUTO_TITLES: flag(true),
    /** The web app's build; a placeholder page is served when it is absent. */
    PARLEY_WEB_DIST: optional(z.string()),
    /**
     * Off by default. "<org>/<user>": the RAG face answers requests that carry no credentials as
     * this user (for a frontend built from its document, which sends none); every other face,
     * and any request that carries credentials, is authenticated as always.
     */
    PARLEY_RAG_OPEN_AS: openAs,
  })
  .refine((env) => !(env.PARLEY_JWT_SECRET && env.PARLEY_JWKS_URL), {
    message: 'set PARLEY_JWT_SECRET or PARLEY_JWKS_URL, not both',
    path: ['PARLEY_JWKS_URL'],
  });

export type Config = ReturnType<typeof loadConfig>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    workers: e.PARLEY_WORKERS,
    database: databaseLocationFromEnv(env),
    /** Files of this server beside the database (the session secret, unless configured). */
    dataDir: dataDirFromEnv(env),
    auth: {
      jwtSecret: e.PARLEY_JWT_SECRET,
      jwksUrl: e.PARLEY_JWKS_URL,
      jwtIssuer: e.PARLEY_JWT_ISSUER,
      jwtAudience: e.PARLEY_JWT_AUDIENCE,
    },
    bodyLimit: e.PARLEY_BODY_LIMIT,
    trpcBodyLimitBytes: e.PARLEY_TRPC_BODY_LIMIT,
    importLimitBytes: e.PARLEY_IMPORT_LIMIT,
    rateLimits: { perCredential: e.PARLEY_RATE_LIMIT_PER_KEY, perIp: e.PARLEY_RATE_LIMIT_PER_IP },
    corsOrigins: e.PARLEY_CORS_ORIGINS,
    trustProxy: e.PARLEY_TRUST_PROXY,
    timeouts: { requestMs: e.PARLEY_REQUEST_TIMEOUT_MS, headersMs: e.PARLEY_HEADERS_TIMEOUT_MS },
    titles: e.PARLEY_TITLE_API_URL
      ? {
          baseUrl: e.PARLEY_TITLE_API_URL,
          apiKey: e.PARLEY_TITLE_API_KEY,
          model: e.PARLEY_TITLE_MODEL,
          timeoutMs: e.PARLEY_TITLE_TIMEOUT_MS,
        }
      : undefined,
    autoTitles: e.PARLEY_AUTO_TITLES,
    session: {
      secret: e.PARLEY_SESSION_SECRET,
      demo: e.PARLEY_DEMO,
      demoTtlMs: Math.round(e.PARLEY_DEMO_TTL_HOURS * 3_600_000),
    },
    ragOpenAs: e.PARLEY_RAG_OPEN_AS,
    logLevel: e.LOG_LEVEL,
    shutdownTimeoutMs: e.PARLEY_SHUTDOWN_TIMEOUT_MS,
    webDist: e.PARLEY_WEB_DIST
      ? resolveFromCaller(e.PARLEY_WEB_DIST)
      : path.join(REPO_ROOT, 'apps/web/dist'),
  };
}
