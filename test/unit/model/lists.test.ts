import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { maxOf, minOf, pushAll } from '../../../src/model/lists.js';

const SRC = new URL('../../../src/', import.meta.url).pathname;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

describe('lists of any length', () => {
  it('pushAll, maxOf and minOf take 1 million elements (a spread into a call overflows the stack)', () => {
    const big = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(() => [].push(...(big as never[]))).toThrow(RangeError);
    expect(pushAll([-1], big).length).toBe(1_000_001);
    expect(maxOf(big)).toBe(999_999);
    expect(minOf(big)).toBe(0);
    expect(maxOf([], 7)).toBe(7);
    expect(minOf([], 7)).toBe(7);
    expect(maxOf([3, 9, 4], 5)).toBe(9);
  });

  it('src/ spreads no list into push, unshift, splice, Math.max, Math.min, fromCharCode or apply', () => {
    const found: string[] = [];
    for (const f of sources(SRC)) {
      readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
        if (!/^\s*(\*|\/\/)/.test(line) && spreadsIntoCall(line)) found.push(`${f.slice(SRC.length)}:${i + 1}: ${line.trim()}`);
      });
    }
    expect(found).toEqual([]);
  });

  it('the check sees a spread argument and not a spread inside an object or array argument', () => {
    expect(spreadsIntoCall('out.push(...list);')).toBe(true);
    expect(spreadsIntoCall('Math.max(0, ...xs.map((x) => x.n))')).toBe(true);
    expect(spreadsIntoCall('out.push({ ...e, time: 1 }, [1, ...rest]);')).toBe(false);
    expect(spreadsIntoCall('pushAll(out, xs.map((x) => [...x]))')).toBe(false);
  });
});

/** True when `line` calls push, unshift, splice, max, min, fromCharCode or apply with a spread argument. */
function spreadsIntoCall(line: string): boolean {
  const call = /\b(?:push|unshift|splice|max|min|fromCharCode|apply)\(/g;
  for (let m = call.exec(line); m !== null; m = call.exec(line)) {
    const stack: string[] = ['('];
    for (let i = m.index + m[0].length; i < line.length && stack.length > 0; i++) {
      const c = line[i]!;
      if (c === '(' || c === '[' || c === '{') stack.push(c);
      else if (c === ')' || c === ']' || c === '}') stack.pop();
      else if (c === "'" || c === '"' || c === '`') { const q = line.indexOf(c, i + 1); i = q < 0 ? line.length : q; }
      else if (stack.length === 1 && line.startsWith('...', i)) return true;
    }
  }
  return false;
}
