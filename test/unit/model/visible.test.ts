import { describe, expect, it } from 'vitest';
import { hasUnsafe, visible, visibleLines } from '../../../src/model/visible.js';

describe('visible: text from a capture shown, never obeyed', () => {
  it('escapes C0, DEL, C1, line separators, bidirectional controls, zero-width and tag characters; keeps the rest', () => {
    expect(visible('a\u001b[31mb\u007f\u0085\u009b\u2028\u202e\u2066\u200bc\\d é\u{e0041}')).toBe('a\\x1b[31mb\\x7f\\x85\\x9b\\u2028\\u202e\\u2066\\u200bc\\d é\\u{e0041}');
  });
  it('shows line breaks, tabs and carriage returns as escapes; visibleLines keeps line breaks', () => {
    expect(visible('a\r\n\tb')).toBe('a\\r\\n\\tb');
    expect(visibleLines('a\rb\nc')).toBe('a\\rb\nc');
  });
  it('escapes a lone surrogate, keeps a pair', () => {
    expect(visible('x\ud800y')).toBe('x\\ud800y');
    expect(visible('😀')).toBe('😀');
  });
  it('is idempotent and leaves safe text as the same string', () => {
    const s = 'C:\\Captures\\dc01 (2).pcapng';
    expect(visible(s)).toBe(s);
    expect(hasUnsafe(s)).toBe(false);
    const once = visible('\u001b]0;title\u0007');
    expect(visible(once)).toBe(once);
  });
});
