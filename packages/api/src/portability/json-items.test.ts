/**
 * The streaming reader of import files: the same items and the same positions whatever the chunk
 * boundaries (down to one byte at a time, splitting UTF-8 sequences), and errors that say where.
 */
import { describe, expect, it } from 'vitest';
import { ImportFileError, readItems, type FileItem } from './json-items.ts';

const LIMIT = 1024 * 1024;

/** The text's UTF-8 bytes in chunks of `size`. */
function* chunked(text: string, size: number): Generator<Uint8Array> {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function items(text: string, size = 1 << 16, maxBytes = LIMIT): Promise<FileItem[]> {
  const out: FileItem[] = [];
  for await (const item of readItems(chunked(text, size), { maxBytes })) out.push(item);
  return out;
}

async function failure(text: string, size = 1 << 16, maxBytes = LIMIT): Promise<ImportFileError> {
  const error = await items(text, size, maxBytes).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImportFileError);
  return error as ImportFileError;
}

const SIZES = [1, 2, 3, 7, 64, 1 << 16];

describe('readItems', () => {
  it.each(SIZES)('reads an array element by element, in chunks of %i bytes', async (size) => {
    const text = '\ufeff [\n {"a": "é👋"},\n  {"b": [1, 2]},\n  3\n]\n';
    const read = await items(text, size);
    expect(read.map((i) => i.value)).toEqual([{ a: 'é👋' }, { b: [1, 2] }, 3]);
    expect(read.map((i) => [i.index, i.at.line, i.at.column])).toEqual([
      [0, 2, 2],
      [1, 3, 3],
      [2, 4, 3],
    ]);
    // Byte offsets count the byte-order mark and the multi-byte characters.
    expect(read[1]!.at.byte).toBe(Buffer.from(text).indexOf('{"b"'));
  });

  it.each(SIZES)('reads NDJSON and a lone object, in chunks of %i bytes', async (size) => {
    const read = await items('{"n":1}\n{"n":2}\r\n\n{"n":3}\n', size);
    expect(read.map((i) => [i.value, i.at.line])).toEqual([
      [{ n: 1 }, 1],
      [{ n: 2 }, 2],
      [{ n: 3 }, 4],
    ]);
    expect((await items('{"only": true}', size)).map((i) => i.value)).toEqual([{ only: true }]);
  });

  it.each(SIZES)('names the byte, line and item of malformed JSON (chunks of %i)', async (size) => {
    const error = await failure('[{"a": 1},\n {"b": nul}]', size);
    expect(error.problem).toBe('malformed');
    expect(error.at).toEqual({ byte: 21, line: 2, column: 11, index: 1 });
  });

  it.each(SIZES)('calls a cut-off file truncated (chunks of %i)', async (size) => {
    for (const text of ['[{"a": 1}, {"b": ', '[{"a": 1}', '{"a": "unterminated', '{"a": [1,']) {
      const error = await failure(text, size);
      expect(error.problem, text).toBe('truncated');
      expect(error.at?.byte).toBe(Buffer.byteLength(text));
    }
  });

  it('refuses what is not an array or objects, and an empty file', async () => {
    expect((await failure('  "text"')).problem).toBe('wrong_format');
    expect((await failure('  "text"')).at).toMatchObject({ byte: 2, line: 1, column: 3 });
    expect((await failure('42')).problem).toBe('wrong_format');
    expect((await failure('')).problem).toBe('empty');
    expect((await failure(' \n\t')).problem).toBe('empty');
  });

  it('refuses data after the array', async () => {
    expect((await failure('[1] [2]')).problem).toBe('malformed');
  });

  it('stops reading at the size limit', async () => {
    const error = await failure(`[${'1,'.repeat(100)}1]`, 16, 64);
    expect(error.problem).toBe('too_large');
  });

  it('keeps only the current item: a long array streams', async () => {
    // 50,000 items through a generator that is never held whole.
    function* big(): Generator<string> {
      yield '[';
      for (let i = 0; i < 50_000; i++) yield `${i ? ',' : ''}{"i":${i}}`;
      yield ']';
    }
    let count = 0;
    for await (const item of readItems(big(), { maxBytes: LIMIT * 10 })) {
      expect(item.value).toEqual({ i: count });
      count++;
    }
    expect(count).toBe(50_000);
  });
});
