/** Markdown escaping: literal text stays literal in GitHub-flavoured Markdown. */
import { describe, expect, it } from 'vitest';
import { mdCell, mdCode, mdTable, mdText } from '../../../src/report/escape.js';
import { wrapLines } from '../../../src/report/wrap.js';

describe('mdText', () => {
  it.each([
    ['10.1.1.50 -> 10.1.1.10:135', '10.1.1.50 -> 10.1.1.10:135'],
    ['a_b *c* `d` [e](f) <g> ~h~', 'a\\_b \\*c\\* \\`d\\` \\[e\\](f) \\<g> \\~h\\~'],
    ['back\\slash & amp', 'back\\\\slash &amp; amp'],
    ['# heading', '\\# heading'],
    ['#tag', '#tag'],
    ['> quote', '\\> quote'],
    ['- item', '\\- item'],
    ['1. item', '1\\. item'],
    ['---', '\\---'],
    ['a|b', 'a|b'],
  ])('%j -> %j', (input, want) => {
    expect(mdText(input)).toBe(want);
  });
});

describe('mdCode', () => {
  it('picks a fence longer than any backtick run and pads when needed', () => {
    expect(mdCode('tcp.port == 135')).toBe('`tcp.port == 135`');
    expect(mdCode('a `b` c')).toBe('``a `b` c``');
    expect(mdCode('x ``` y')).toBe('````x ``` y````');
    expect(mdCode('`edge')).toBe('`` `edge ``');
    expect(mdCode('two\nlines')).toBe('`two\\nlines`');
  });
});

describe('mdCell and mdTable', () => {
  it('escapes every pipe, including those in code spans, and turns line breaks into <br>', () => {
    expect(mdCell(mdCode('a || b'))).toBe('`a \\|\\| b`');
    expect(mdCell(mdText('a\\|b'))).toBe('a\\\\\\|b');
    expect(mdCell('one\ntwo')).toBe('one<br>two');
    expect(mdCell('')).toBe(' ');
  });

  it('builds a header, a delimiter row and one row per entry', () => {
    expect(mdTable(['A', 'B'], [['1', 'x|y']])).toBe('| A | B |\n| --- | --- |\n| 1 | x\\|y |');
  });
});

describe('wrapLines', () => {
  it('wraps at spaces, then after hyphens, then inside a word', () => {
    expect(wrapLines('one two three', 7)).toEqual(['one two', 'three']);
    expect(wrapLines('answered-not-completed', 14)).toEqual(['answered-not-', 'completed']);
    expect(wrapLines('abcdefghij', 4)).toEqual(['abcd', 'efgh', 'ij']);
    expect(wrapLines('a\nb', 10)).toEqual(['a', 'b']);
  });
});
