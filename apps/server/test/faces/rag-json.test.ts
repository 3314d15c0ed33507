/**
 * The RAG face reports malformed JSON where and as Python's json module does (FastAPI's
 * json_invalid carries JSONDecodeError's pos and msg). Expected values are what CPython's
 * json.loads raised for each text (3.11, and 3.13 for its trailing-comma messages).
 */
import { describe, expect, it } from 'vitest';
import { pythonJsonError } from '../../src/faces/rag-json.ts';

describe('pythonJsonError', () => {
  it.each([
    ['{"title": ', 'Expecting value', 10],
    ['{"title"', "Expecting ':' delimiter", 8],
    ['{', 'Expecting property name enclosed in double quotes', 1],
    ['[', 'Expecting value', 1],
    ['', 'Expecting value', 0],
    ['   ', 'Expecting value', 3],
    ['{"title": "x",}', 'Illegal trailing comma before end of object', 13],
    ['[1,]', 'Illegal trailing comma before end of array', 2],
    ['{"title": "abc', 'Unterminated string starting at', 10],
    ['{"title": "a\\qb"}', 'Invalid \\escape', 12],
    ['{"title": "\\u12"}', 'Invalid \\uXXXX escape', 12],
    ['{"title": "\\u12g4"}', 'Invalid \\uXXXX escape', 12],
    ['{"a":1 "b":2}', "Expecting ',' delimiter", 7],
    ['{"a" 1}', "Expecting ':' delimiter", 5],
    ['{"title": None}', 'Expecting value', 10],
    ['{"title": "x"} extra', 'Extra data', 15],
    ['nul', 'Expecting value', 0],
    ['-', 'Expecting value', 0],
    ['01', 'Extra data', 1],
    ['{"t": 1.}', "Expecting ',' delimiter", 7],
    ['{"t": 1e}', "Expecting ',' delimiter", 7],
    ['{"t": "tab\there"}', 'Invalid control character at', 10],
    ["{'title': 'x'}", 'Expecting property name enclosed in double quotes', 1],
    ['{"title": "é😀", x}', 'Expecting property name enclosed in double quotes', 16],
    ['"😀😀" x', 'Extra data', 5],
    ['[1 2]', "Expecting ',' delimiter", 3],
    ['{"t": tru}', 'Expecting value', 6],
  ])('%j: %s at %i', (text, msg, pos) => {
    expect(pythonJsonError(text)).toEqual({ msg, pos });
  });

  it.each([
    '{"title": "x"}',
    ' [1, 2.5e3, -0, "a\\u00e9\\ud83d\\ude00"] ',
    'NaN',
    '{"t": -Infinity}',
  ])('%j is JSON to Python', (text) => {
    expect(pythonJsonError(text)).toBeUndefined();
  });
});
