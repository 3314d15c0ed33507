/**
 * What the load sends: one scenario per operation and face. Each request comes from the
 * scenario's generator (load.ts gives every connection its own run of them), so a rename run
 * cycles over the user's conversations and over many titles, a get over many ids, and a list over
 * pages at many depths (keyset cursors collected beforehand by walking the list).
 * Each scenario also says what a correct answer looks like; one request is checked before any
 * load, and during the load every non-2xx answer fails the run.
 */
import { renderId } from '@parley/api';
import type { RequestSpec } from './load.ts';
import type { SeededDatabase } from './seed.ts';

/** parley, baseline, naive, node-http; in the scale run parley@1k and parley@1M. */
export type TargetName = string;

export interface Scenario {
  /** Stable key in the JSON, e.g. "rename.florent@parley". */
  id: string;
  /** What the table shows. */
  label: string;
  target: TargetName;
  /** Sent as the subject's second user (creates), so the first user's list stays as seeded. */
  asCreator?: boolean;
  next(): RequestSpec;
  /** The status a correct answer has, and what its body must show. */
  expect: { status: number; body(body: unknown, request: RequestSpec): boolean };
}

export interface Subject {
  key: string;
  /** A second user's key, for the create scenarios. */
  creatorKey?: string;
  userName: string;
  /** Conversations the user owns, to rename and read. */
  ids: readonly string[];
  /** Keyset cursors of list pages at several depths ("" for the first page). */
  cursors?: readonly string[];
}

/** The benchmarked user of a seeded database, as the scenarios see it. */
export const subjectOf = (db: SeededDatabase): Subject => ({
  key: db.key,
  creatorKey: db.creatorKey,
  userName: db.userName,
  ids: db.ownIds,
});

// Titles as people type them: accents to normalise, an emoji sequence to count as one grapheme.
const TITLES = [
  'Trip to Lisbon',
  'Quarterly plan — draft',
  'Réunion équipe',
  'Ideas for the café ☕',
  '👩🏽‍💻 debugging the build',
  'Zusammenfassung des Gesprächs',
];

/** An endless round robin over a list, starting at a different place for every caller. */
function cycle<T>(items: readonly T[]): () => T {
  if (items.length === 0) throw new Error('nothing to cycle over');
  let at = Math.floor(Math.random() * items.length);
  return () => items[at++ % items.length] as T;
}

/** Titles that differ on every request: a base title and a counter. */
function titles(): () => string {
  let n = 0;
  return () => {
    n++;
    return `${TITLES[n % TITLES.length]} #${n}`;
  };
}

/** A Fisher-Yates shuffle, so consecutive requests touch conversations far apart. */
export function shuffled<T>(items: readonly T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

const json = (value: unknown) => JSON.stringify(value);
const parse = (body: string | undefined): Record<string, unknown> =>
  body ? (JSON.parse(body) as Record<string, unknown>) : {};
/** The value at a path in parsed JSON, or undefined. */
export const field = (value: unknown, ...path: string[]): unknown =>
  path.reduce<unknown>(
    (at, key) =>
      typeof at === 'object' && at !== null ? (at as Record<string, unknown>)[key] : undefined,
    value,
  );
/** A tRPC query's `input` parameter. */
export const trpcInput = (input: unknown): string => encodeURIComponent(JSON.stringify(input));

/** Florent's REST rename, answered the same way by every target. */
export function florentRename(target: TargetName, subject: Subject): Scenario {
  const id = cycle(shuffled(subject.ids));
  const title = titles();
  return {
    id: `rename.florent@${target}`,
    label: 'rename (REST, Florent)',
    target,
    next: () => ({
      method: 'PATCH',
      path: `/api/florent/conversations/${id()}`,
      body: json({ title: title() }),
    }),
    expect: {
      status: 200,
      body: (body, request) =>
        field(body, 'conversation', 'title') === parse(request.body).title &&
        request.path.endsWith(String(field(body, 'conversation', '_id'))),
    },
  };
}

/** Every Parley scenario of the comparison run. */
export function parleyScenarios(subject: Subject): Scenario[] {
  const ids = () => cycle(shuffled(subject.ids));
  const scenario = (
    key: string,
    label: string,
    next: () => RequestSpec,
    expect: Scenario['expect'],
  ): Scenario => ({
    id: `${key}@parley`,
    label,
    target: 'parley',
    asCreator: key.startsWith('create.'),
    next,
    expect,
  });

  const orqId = ids();
  const orqTitle = titles();
  const ragId = ids();
  const ragTitle = titles();
  const difyId = ids();
  const difyTitle = titles();
  const trpcId = ids();
  const trpcTitle = titles();
  const createTitle = titles();
  const trpcCreateTitle = titles();

  return [
    florentRename('parley', subject),
    scenario(
      'rename.orq',
      'rename (REST, orq.ai)',
      () => ({
        method: 'PATCH',
        path: `/v2/conversations/${renderId(orqId(), 'orq')}`,
        body: json({ displayName: orqTitle() }),
      }),
      {
        status: 200,
        body: (body, request) => field(body, 'displayName') === parse(request.body).displayName,
      },
    ),
    scenario(
      'rename.rag',
      'rename (REST, RAG)',
      () => ({
        method: 'PATCH',
        path: `/api/conversations/${ragId()}`,
        body: json({ title: ragTitle() }),
      }),
      {
        status: 200,
        body: (body, request) =>
          field(body, 'title') === parse(request.body).title &&
          Array.isArray(field(body, 'messages')),
      },
    ),
    scenario(
      'rename.dify',
      'rename (REST, Dify)',
      () => ({
        method: 'POST',
        path: `/v1/conversations/${renderId(difyId(), 'uuid')}/name`,
        body: json({ name: difyTitle(), user: subject.userName }),
      }),
      { status: 200, body: (body, request) => field(body, 'name') === parse(request.body).name },
    ),
    scenario(
      'rename.trpc',
      'rename (tRPC)',
      () => ({
        method: 'POST',
        path: '/trpc/conversation.rename',
        body: json({ id: trpcId(), title: trpcTitle() }),
      }),
      {
        status: 200,
        body: (body, request) =>
          field(body, 'result', 'data', 'title') === parse(request.body).title,
      },
    ),
    scenario(
      'create.florent',
      'create (REST, Florent)',
      () => ({
        method: 'POST',
        path: '/api/florent/conversations',
        body: json({ title: createTitle() }),
      }),
      {
        status: 201,
        body: (body, request) => field(body, 'conversation', 'title') === parse(request.body).title,
      },
    ),
    scenario(
      'create.trpc',
      'create (tRPC)',
      () => ({
        method: 'POST',
        path: '/trpc/conversation.create',
        body: json({ title: trpcCreateTitle() }),
      }),
      {
        status: 200,
        body: (body, request) =>
          field(body, 'result', 'data', 'title') === parse(request.body).title,
      },
    ),
    getScenario('parley', subject),
    listScenario('parley', subject),
  ];
}

/** tRPC conversation.get over the user's conversations. */
export function getScenario(target: TargetName, subject: Subject): Scenario {
  const id = cycle(shuffled(subject.ids));
  return {
    id: `get.trpc@${target}`,
    label: 'get (tRPC)',
    target,
    next: () => ({
      method: 'GET',
      path: `/trpc/conversation.get?input=${trpcInput({ id: id() })}`,
    }),
    expect: {
      status: 200,
      body: (body, request) =>
        request.path.includes(encodeURIComponent(String(field(body, 'result', 'data', 'id')))),
    },
  };
}

/** tRPC conversation.list, 20 per page, at the depths the cursors name. */
export function listScenario(target: TargetName, subject: Subject): Scenario {
  const cursor = cycle(subject.cursors?.length ? subject.cursors : ['']);
  return {
    id: `list.trpc@${target}`,
    label: 'list page of 20 (tRPC)',
    target,
    next: () => {
      const at = cursor();
      return {
        method: 'GET',
        path: `/trpc/conversation.list?input=${trpcInput(at ? { limit: 20, cursor: at } : { limit: 20 })}`,
      };
    },
    expect: {
      status: 200,
      body: (body) => {
        const items = field(body, 'result', 'data', 'items');
        return Array.isArray(items) && items.length > 0 && items.length <= 20;
      },
    },
  };
}

/**
 * A search for a number, as the seeded titles are "Conversation <n>": a four-digit number is in
 * a few hundred titles of a million (someone else's, mostly), so this measures a selective
 * search through the title index, not one that matches every row.
 */
export function searchScenario(target: TargetName, subject: Subject): Scenario {
  const queries = Array.from({ length: 500 }, () =>
    String(1000 + Math.floor(Math.random() * 9000)),
  );
  const q = cycle(queries);
  void subject;
  return {
    id: `search.trpc@${target}`,
    label: 'search, 4-digit query (tRPC)',
    target,
    next: () => ({
      method: 'GET',
      path: `/trpc/conversation.search?input=${trpcInput({ q: q(), limit: 20 })}`,
    }),
    expect: {
      status: 200,
      body: (body) => {
        const items = field(body, 'result', 'data', 'items');
        return Array.isArray(items) && items.length <= 20;
      },
    },
  };
}

/** The headers every request of a scenario carries. */
export function headersFor(subject: Subject, scenario?: Scenario): Record<string, string> {
  const key = scenario?.asCreator ? subject.creatorKey : subject.key;
  if (!key) throw new Error(`no key for ${scenario?.id ?? 'the subject'}`);
  return { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
}
