/**
 * Where Python's json module stops reading a malformed body, and what it says there: FastAPI
 * reports malformed JSON as pydantic's json_invalid with `loc: ["body", <position>]` and
 * `ctx.error` from json.JSONDecodeError, and the RAG face answers the same. A scanner that follows
 * CPython's (Modules/_json.c, json/decoder.py, 3.13) only as far as its errors: positions count code
 * points, as a Python str does.
 */

export interface PythonJsonError {
  /** JSONDecodeError.msg, e.g. "Expecting value". */
  msg: string;
  /** JSONDecodeError.pos: the index, in code points, where decoding stopped. */
  pos: number;
}

/** JSONDecodeError; Python's StopIteration from scan_once ends as one too: "Expecting value". */
class DecodeError extends Error {
  constructor(
    readonly msg: string,
    readonly pos: number,
  ) {
    super(msg);
  }
}

const noValue = (pos: number) => new DecodeError('Expecting value', pos);

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/** The error Python's json.loads raises for this text, or undefined when it would parse it. */
export function pythonJsonError(text: string): PythonJsonError | undefined {
  const s = Array.from(text);
  const skip = (i: number) => {
    while (i < s.length && WHITESPACE.has(s[i]!)) i++;
    return i;
  };
  const is = (i: number, word: string) => s.slice(i, i + word.length).join('') === word;
  const digit = (i: number) => i < s.length && s[i]! >= '0' && s[i]! <= '9';

  const string = (begin: number): number => {
    let i = begin + 1;
    for (;;) {
      while (i < s.length && s[i] !== '"' && s[i] !== '\\') {
        if (s[i]!.codePointAt(0)! <= 0x1f) throw new DecodeError('Invalid control character at', i);
        i++;
      }
      if (i >= s.length) throw new DecodeError('Unterminated string starting at', begin);
      if (s[i] === '"') return i + 1;
      i++; // the backslash
      if (i === s.length) throw new DecodeError('Unterminated string starting at', begin);
      if (s[i] !== 'u') {
        if (!'"\\/bfnrt'.includes(s[i]!)) throw new DecodeError('Invalid \\escape', i - 1);
        i++;
        continue;
      }
      i++;
      if (i + 4 >= s.length) throw new DecodeError('Invalid \\uXXXX escape', i - 1);
      if (!/^[0-9a-fA-F]{4}$/.test(s.slice(i, i + 4).join('')))
        throw new DecodeError('Invalid \\uXXXX escape', i - 1);
      i += 4;
    }
  };

  const number = (start: number): number => {
    let i = start;
    if (s[i] === '-') {
      i++;
      if (i >= s.length) throw noValue(start);
    }
    if (s[i]! >= '1' && s[i]! <= '9') while (digit(++i));
    else if (s[i] === '0') i++;
    else throw noValue(start);
    if (i < s.length - 1 && s[i] === '.' && digit(i + 1)) {
      i += 2;
      while (digit(i)) i++;
    }
    if (i < s.length - 1 && (s[i] === 'e' || s[i] === 'E')) {
      const backtrack = i++;
      if (i < s.length - 1 && (s[i] === '-' || s[i] === '+')) i++;
      while (digit(i)) i++;
      if (!digit(i - 1)) i = backtrack;
    }
    return i;
  };

  const sequence = (start: number, close: string, member: (i: number) => number): number => {
    let i = skip(start);
    if (s[i] === close) return i + 1;
    for (;;) {
      i = skip(member(i));
      if (s[i] === close) return i + 1;
      if (s[i] !== ',') throw new DecodeError("Expecting ',' delimiter", i);
      const comma = i;
      i = skip(i + 1);
      if (s[i] === close) {
        const what = close === '}' ? 'object' : 'array';
        throw new DecodeError(`Illegal trailing comma before end of ${what}`, comma);
      }
    }
  };

  const member = (i: number): number => {
    if (s[i] !== '"') throw new DecodeError('Expecting property name enclosed in double quotes', i);
    i = skip(string(i));
    if (s[i] !== ':') throw new DecodeError("Expecting ':' delimiter", i);
    return value(skip(i + 1));
  };

  const value = (i: number): number => {
    if (i >= s.length) throw noValue(i);
    switch (s[i]) {
      case '"':
        return string(i);
      case '{':
        return sequence(i + 1, '}', member);
      case '[':
        return sequence(i + 1, ']', value);
    }
    for (const constant of ['null', 'true', 'false', 'NaN', 'Infinity', '-Infinity']) {
      if (is(i, constant)) return i + constant.length;
    }
    return number(i);
  };

  try {
    const end = skip(value(skip(0)));
    return end === s.length ? undefined : { msg: 'Extra data', pos: end };
  } catch (error) {
    if (error instanceof DecodeError) return { msg: error.msg, pos: error.pos };
    throw error;
  }
}
