import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { decodeTime } from 'ulid';
import { createIdFactory, newId, parseId, renderId, type IdFormat } from './ids.ts';

const FORMATS: IdFormat[] = ['ulid', 'orq', 'uuid'];
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

// Any 128-bit value, as a canonical ULID (26 Crockford digits, first one 0-7).
const anyUlid = fc
  .tuple(
    fc.constantFrom(...'01234567'),
    fc.string({ unit: fc.constantFrom(...CROCKFORD), minLength: 25, maxLength: 25 }),
  )
  .map(([head, tail]) => head + tail);

describe('id codec', () => {
  test.prop([anyUlid, fc.constantFrom(...FORMATS)])(
    'every rendering parses back to the same id',
    (id, format) => {
      const rendered = renderId(id, format);
      expect(parseId(rendered)).toBe(id);
      expect(parseId(rendered, [format])).toBe(id);
    },
  );

  test.prop([anyUlid])('the UUID rendering is the same 128 bits', (id) => {
    const uuid = renderId(id, 'uuid');
    expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    const fromUlid = [...id].reduce((n, c) => n * 32n + BigInt(CROCKFORD.indexOf(c)), 0n);
    expect(BigInt(`0x${uuid.replaceAll('-', '')}`)).toBe(fromUlid);
  });

  test.prop([fc.uuid({ version: 4 })])('any UUID parses and renders back identically', (uuid) => {
    const id = parseId(uuid);
    expect(id).not.toBeNull();
    expect(renderId(id!, 'uuid')).toBe(uuid.toLowerCase());
  });

  test.prop([anyUlid])('parsing ignores case for ULID and UUID input', (id) => {
    expect(parseId(id.toLowerCase())).toBe(id);
    expect(parseId(renderId(id, 'uuid').toUpperCase())).toBe(id);
  });

  // Every case says what it must parse to: a rendering of an id, in any letter case its format
  // accepts (ULIDs and UUIDs any mix, orq ids lower case only), parses to that id; a near miss of
  // one parses to nothing.
  const accepted = fc
    .tuple(anyUlid, fc.constantFrom(...FORMATS), fc.array(fc.boolean(), { minLength: 36 }))
    .map(([id, format, upper]) => {
      const rendered = renderId(id, format);
      const input =
        format === 'orq'
          ? rendered
          : [...rendered].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join('');
      return { input, expected: id };
    });
  /** `text` with `remove` characters at a position picked by `n` (-1: the end) replaced. */
  const splice = (text: string, n: number, insert: string, remove: number) => {
    const i = n < 0 ? text.length - remove : n % (text.length + 1 - remove);
    return text.slice(0, i) + insert + text.slice(i + remove);
  };
  // Both ends often: that is where a missing anchor in a pattern would show.
  const position = fc.oneof(fc.constant(0), fc.constant(-1), fc.nat());
  const nearMiss = fc
    .oneof(
      // One character more or one fewer: no format has that length.
      fc
        .tuple(accepted, position, fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }))
        .map(([{ input }, n, char]) => splice(input, n, char, 0)),
      fc.tuple(accepted, position).map(([{ input }, n]) => splice(input, n, '', 1)),
      // A character that no format allows anywhere: neither Crockford, nor hex, nor a separator.
      fc
        .tuple(accepted, position, fc.constantFrom(...'ILOUilou \u0000é'))
        .map(([{ input }, n, char]) => splice(input, n, char, 1)),
      // A first digit over 7: more than 128 bits.
      fc
        .tuple(anyUlid, fc.constantFrom(...'89ABCDEFGHJKMNPQRSTVWXYZ'), fc.boolean())
        .map(([id, head, orq]) =>
          orq ? `conv_${(head + id.slice(1)).toLowerCase()}` : head + id.slice(1),
        ),
    )
    .map((input) => ({ input, expected: null }));

  test.prop([fc.oneof(accepted, nearMiss)], { numRuns: 1_000 })(
    'parses every accepted rendering of an id to it, and a near miss to nothing',
    ({ input, expected }) => {
      expect(parseId(input)).toBe(expected);
    },
  );

  it.each([
    ['', 'empty'],
    ['01J9Z3Q4X8M2V7K5T6R1N0P3Q', 'too short'],
    ['01J9Z3Q4X8M2V7K5T6R1N0P3QBB', 'too long'],
    ['81J9Z3Q4X8M2V7K5T6R1N0P3QB', 'more than 128 bits'],
    ['01J9Z3Q4X8M2V7K5T6R1N0P3QU', 'U is not Crockford'],
    ['01J9Z3Q4X8M2V7K5T6R1N0P3QI', 'I is not Crockford'],
    ['conv_01J9Z3Q4X8M2V7K5T6R1N0P3QB', 'orq ids are lower case'],
    ['conv_', 'prefix only'],
    ['CONV_01j9z3q4x8m2v7k5t6r1n0p3qb', 'upper-case prefix'],
    ['0192bf1b93a8a0b67995a6c0d6036ecb', 'UUID without dashes'],
    ['0192bf1b-93a8-a0b6-7995-a6c0d6036ecg', 'UUID with a non-hex digit'],
    ['{0192bf1b-93a8-a0b6-7995-a6c0d6036ecb}', 'UUID in braces'],
    [' 01J9Z3Q4X8M2V7K5T6R1N0P3QB', 'leading space'],
    ['01J9Z3Q4X8M2V7K5T6R1N0P3QB\n', 'trailing newline'],
    ["1' OR '1'='1", 'SQL'],
    ['../../etc/passwd', 'path traversal'],
  ])('rejects %j (%s)', (input) => {
    expect(parseId(input)).toBeNull();
  });

  it('limits parsing to the formats a face accepts', () => {
    const id = newId();
    expect(parseId(renderId(id, 'uuid'), ['ulid', 'orq'])).toBeNull();
    expect(parseId(id, ['uuid'])).toBeNull();
  });

  it('new ids are canonical and increase', () => {
    const ids = Array.from({ length: 1000 }, () => newId());
    for (const id of ids) expect(parseId(id, ['ulid'])).toBe(id);
    expect([...ids].sort()).toEqual(ids);
  });
});

/** RFC 9562 UUIDv7: version nibble 7, variant bits 10. */
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

describe('new ids are UUIDv7', () => {
  it('render as a valid v7 UUID whose time is now, and as a valid ULID of the same time', () => {
    const before = Date.now();
    const id = newId();
    const after = Date.now();
    expect(id).toMatch(ULID);
    const uuid = renderId(id, 'uuid');
    expect(uuid).toMatch(UUID_V7);
    // zod's own validators, as a client of the Dify face would run them.
    expect(z.uuid().safeParse(uuid).success).toBe(true);
    expect(z.uuidv7().safeParse(uuid).success).toBe(true);
    expect(z.ulid().safeParse(id).success).toBe(true);
    const ms = parseInt(uuid.replaceAll('-', '').slice(0, 12), 16);
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
    expect(decodeTime(id)).toBe(ms);
  });

  test.prop([fc.array(fc.integer({ min: 0, max: 2 ** 48 - 2 }), { minLength: 1, maxLength: 200 })])(
    'any clock, even one that stands still or steps back: each id is v7, round-trips every rendering, and sorts after the last',
    (clock) => {
      let tick = 0;
      const next = createIdFactory(() => clock[Math.min(tick++, clock.length - 1)]!);
      const ids = clock.map(() => next());
      let latest = -1;
      for (const [i, id] of ids.entries()) {
        expect(id).toMatch(ULID);
        const uuid = renderId(id, 'uuid');
        expect(uuid).toMatch(UUID_V7);
        for (const format of FORMATS) expect(parseId(renderId(id, format), [format])).toBe(id);
        // The time is the clock's, or the last id's when the clock stood still or stepped back.
        latest = Math.max(latest, clock[i]!);
        expect(decodeTime(id)).toBe(latest);
      }
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(ids.length);
    },
  );

  it('when the random part would overflow within a millisecond, the time moves on one', () => {
    const max = (1n << 74n) - 1n;
    const next = createIdFactory(
      () => 1_000,
      () => max,
    );
    const first = next();
    const second = next();
    expect(decodeTime(first)).toBe(1_000);
    expect(decodeTime(second)).toBe(1_001);
    expect(renderId(second, 'uuid')).toMatch(UUID_V7);
    expect(second > first).toBe(true);
  });

  test.prop([fc.uuid({ version: 7 })])(
    'any v7 UUID parses and renders back identically',
    (uuid) => {
      const id = parseId(uuid);
      expect(id).toMatch(ULID);
      expect(renderId(id!, 'uuid')).toBe(uuid.toLowerCase());
    },
  );

  it('ids made before (plain ULID bits) keep parsing and rendering in every format', () => {
    const old = '01J9Z3Q4X8M2V7K5T6R1N0P3QB';
    expect(renderId(old, 'uuid')).not.toMatch(UUID_V7);
    for (const format of FORMATS) expect(parseId(renderId(old, format), [format])).toBe(old);
    expect(renderId(old, 'orq')).toBe('conv_01j9z3q4x8m2v7k5t6r1n0p3qb');
  });
});
