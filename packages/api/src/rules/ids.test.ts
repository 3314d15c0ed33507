import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { newId, parseId, renderId, type IdFormat } from './ids.ts';

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
