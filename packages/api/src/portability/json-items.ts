/**
 * The items of an import file, one at a time, as the bytes arrive: the elements of a top-level
 * JSON array (ChatGPT's conversations.json), or a sequence of top-level JSON values (NDJSON, or a
 * single exported conversation). Only the item being read is in memory. A file that is not JSON,
 * stops in the middle, or is too large ends with an ImportFileError that says where: the byte
 * offset, the line and column, and the index of the item it broke in.
 */
import { TokenParser, Tokenizer, TokenType } from '@streamparser/json';

export interface FilePosition {
  /** Bytes from the start of the file (0-based). */
  byte: number;
  /** 1-based line and column (column in bytes). */
  line: number;
  column: number;
  /** The item being read (0-based): the array element, or the line of NDJSON. */
  index: number;
}

export type FileProblem = 'malformed' | 'truncated' | 'wrong_format' | 'too_large' | 'empty';

export class ImportFileError extends Error {
  constructor(
    readonly problem: FileProblem,
    message: string,
    readonly at?: FilePosition,
  ) {
    super(message);
  }
}

export interface FileItem {
  index: number;
  value: unknown;
  /** Where the item starts. */
  at: FilePosition;
}

const VALUE_START = new Set<TokenType>([
  TokenType.LEFT_BRACE,
  TokenType.LEFT_BRACKET,
  TokenType.STRING,
  TokenType.NUMBER,
  TokenType.TRUE,
  TokenType.FALSE,
  TokenType.NULL,
]);

const WHITESPACE = new Set([0x20, 0x0a, 0x0d, 0x09]);
const BOM = [0xef, 0xbb, 0xbf];

/** Counts lines as bytes go by, so any offset since the current chunk began has its line. */
class LineCounter {
  private chunkStart = 0;
  private linesBefore = 1;
  private lineStartBefore = 0;
  private chunk: Uint8Array = new Uint8Array(0);

  next(chunk: Uint8Array): void {
    const { line, lineStart } = this.scan(this.chunk.length);
    this.linesBefore = line;
    this.lineStartBefore = lineStart;
    this.chunkStart += this.chunk.length;
    this.chunk = chunk;
  }

  /** Line and column of a byte offset (offsets before the current chunk: its first line). */
  at(byte: number, index: number): FilePosition {
    const { line, lineStart } = this.scan(Math.max(0, byte - this.chunkStart));
    return { byte, line, column: byte - lineStart + 1, index };
  }

  private scan(upTo: number): { line: number; lineStart: number } {
    let line = this.linesBefore;
    let lineStart = this.lineStartBefore;
    const end = Math.min(upTo, this.chunk.length);
    for (let i = 0; i < end; i++) {
      if (this.chunk[i] === 0x0a) {
        line++;
        lineStart = this.chunkStart + i + 1;
      }
    }
    return { line, lineStart };
  }
}

const encoder = new TextEncoder();

/** The absolute offset a tokenizer error names, if it names one. */
function offsetInMessage(message: string): number | undefined {
  const match = /absolute position "(\d+)"/.exec(message);
  return match ? Number(match[1]) : undefined;
}

export interface ReadOptions {
  /** Refuse the file beyond this many bytes. */
  maxBytes: number;
}

/**
 * Reads the items of a file given as chunks (Buffers, Uint8Arrays or strings). The shape is
 * decided by the first byte that is not whitespace: `[` is an array of items, `{` a sequence of
 * objects; anything else is not an import file.
 */
export async function* readItems(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
  { maxBytes }: ReadOptions,
): AsyncGenerator<FileItem> {
  const lines = new LineCounter();
  let total = 0;
  let tokenizer: Tokenizer | undefined;
  let parser: TokenParser | undefined;
  let itemDepth = 0;
  let depth = 0;
  let index = 0;
  let itemStart: FilePosition = { byte: 0, line: 1, column: 1, index: 0 };
  let lastToken = 0;
  let pending: FileItem[] = [];
  let leading = 0; // bytes of BOM and whitespace before the first value
  let bomSeen = 0;

  const start = (first: number) => {
    if (first !== 0x5b && first !== 0x7b) {
      throw new ImportFileError(
        'wrong_format',
        `Expected a JSON array or JSON objects, found ${JSON.stringify(String.fromCharCode(first))} at byte ${leading}.`,
        lines.at(leading, 0),
      );
    }
    const array = first === 0x5b;
    itemDepth = array ? 1 : 0;
    const options = array
      ? { paths: ['$.*'], keepStack: false }
      : { paths: ['$'], keepStack: false, separator: '' };
    tokenizer = new Tokenizer(array ? {} : { separator: '' });
    parser = new TokenParser(options);
    parser.onValue = ({ value }) => {
      pending.push({ index, value, at: itemStart });
      index++;
    };
    tokenizer.onToken = (info) => {
      lastToken = info.offset + leading;
      if (depth === itemDepth && VALUE_START.has(info.token)) {
        itemStart = lines.at(lastToken, index);
      }
      if (info.token === TokenType.LEFT_BRACE || info.token === TokenType.LEFT_BRACKET) depth++;
      if (info.token === TokenType.RIGHT_BRACE || info.token === TokenType.RIGHT_BRACKET) depth--;
      parser!.write(info);
    };
  };

  const fail = (error: unknown, fallback: number): never => {
    if (error instanceof ImportFileError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    const offset = offsetInMessage(message);
    const byte = offset === undefined ? fallback : offset + leading;
    const at = lines.at(byte, index);
    throw new ImportFileError(
      'malformed',
      `Malformed JSON at byte ${byte} (line ${at.line}, column ${at.column}), in item ${index}.`,
      at,
    );
  };

  for await (const raw of source) {
    let chunk = typeof raw === 'string' ? encoder.encode(raw) : raw;
    total += chunk.length;
    if (total > maxBytes) {
      throw new ImportFileError(
        'too_large',
        `The file is larger than the import limit of ${maxBytes} bytes.`,
        lines.at(maxBytes, index),
      );
    }
    if (!tokenizer) {
      // Before the first value: skip a byte-order mark and whitespace, then look at one byte.
      // (A byte-order mark only at the very start, possibly split across chunks.)
      let skip = 0;
      while (skip < chunk.length) {
        const byte = chunk[skip]!;
        const inBom = leading + skip < BOM.length && leading + skip === bomSeen;
        if (inBom && byte === BOM[bomSeen]) bomSeen++;
        else if (!WHITESPACE.has(byte)) break;
        skip++;
      }
      lines.next(chunk.subarray(0, skip));
      leading += skip;
      chunk = chunk.subarray(skip);
      if (chunk.length === 0) continue;
      start(chunk[0]!);
    }
    lines.next(chunk);
    try {
      tokenizer!.write(chunk);
    } catch (error) {
      fail(error, lastToken);
    }
    const ready = pending;
    pending = [];
    yield* ready;
  }

  if (!tokenizer || !parser) throw new ImportFileError('empty', 'The file is empty.');
  try {
    tokenizer.end();
    // An array's parser ends by itself at its closing bracket; a sequence ends here, between
    // two values, or it was cut inside one.
    if (!parser.isEnded) parser.end();
  } catch {
    throw truncated(lines.at(total, index));
  }
  yield* pending;
}

function truncated(at: FilePosition): ImportFileError {
  return new ImportFileError(
    'truncated',
    `The file ends in the middle of item ${at.index}, at byte ${at.byte} (line ${at.line}): is it truncated?`,
    at,
  );
}
