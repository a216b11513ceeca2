/**
 * JSON rendering: the document as `JSON.stringify(doc, null, 2)` writes it, byte for byte, but
 * streamed: the head first, each entry of the document's list as soon as it is done, the tail
 * last, so a run over many files never holds every report at once. Each entry is one native
 * JSON.stringify, which measured leaner than writing it in pieces (a piece-by-piece writer kept
 * the 1 GiB benchmark's report in 5 MB more memory).
 */
import type { Sink } from './writer.js';

/**
 * Characters JSON.stringify leaves raw that a terminal or an editor would act on (DEL, C1
 * controls, bidirectional overrides and other format characters, line and paragraph
 * separators; C0 controls and lone surrogates it already escapes). They can only occur inside
 * strings, where `\uXXXX` means the same character: the document parses to the same value.
 */
const JSON_UNSAFE = /[\u007f-\u009f\p{Cf}\u2028\u2029]/u;
const JSON_UNSAFE_ALL = new RegExp(JSON_UNSAFE.source, 'gu');

const u4 = (n: number): string => `\\u${n.toString(16).padStart(4, '0')}`;

/** JSON text with the characters above written as `\u` escapes (surrogate pairs beyond U+FFFF). */
export function jsonSafe(text: string): string {
  if (!JSON_UNSAFE.test(text)) return text;
  return text.replace(JSON_UNSAFE_ALL, (c) => {
    const n = c.codePointAt(0) ?? 0;
    return n <= 0xffff ? u4(n) : u4(0xd800 + ((n - 0x10000) >> 10)) + u4(0xdc00 + ((n - 0x10000) & 0x3ff));
  });
}

/** The whole document at once (small documents: `syn`). */
export const renderJson = (doc: unknown): string => `${jsonSafe(JSON.stringify(doc, null, 2))}\n`;

/**
 * `JSON.stringify(value, null, 2)` as it reads nested `depth` levels deep (each line after the
 * first indented by 2 * depth spaces): the value is wrapped in `depth` arrays, so that
 * JSON.stringify indents it natively, and the wrapping is cut off again (a slice, not a copy).
 */
export function nestedJson(value: unknown, depth: number): string {
  const r = nestedRange(value, depth);
  return r.start === 0 && r.end === r.text.length ? r.text : r.text.slice(r.start, r.end);
}

/** `nestedJson`'s text as a range of the wrapped text, for a sink that writes ranges. */
function nestedRange(value: unknown, depth: number): { text: string; start: number; end: number } {
  let wrapped: unknown = value;
  for (let i = 0; i < depth; i++) wrapped = [wrapped];
  const text = JSON.stringify(wrapped, null, 2) ?? 'null';
  if (depth === 0) return { text, start: 0, end: text.length };
  // '[\n  [\n    <value>\n  ]\n]': the value starts after depth opening lines and ends before depth closing ones.
  let start = 0;
  for (let i = 0; i < depth; i++) start += 2 + 2 * (i + 1);
  let end = text.length;
  for (let i = 0; i < depth; i++) end -= 2 + 2 * i;
  return { text, start, end };
}

/**
 * Streams `{ ...head, [key]: [items...], ...tail }`. `head`'s and `tail`'s keys keep their
 * order; the list's items are written by `item` as they come.
 */
export class JsonListWriter {
  private items = 0;
  private readonly out: Sink;

  private readonly sink: Sink;

  constructor(sink: Sink, head: Record<string, unknown>, key: string) {
    this.sink = sink;
    this.out = { write: (s: string) => sink.write(jsonSafe(s)), flush: () => sink.flush?.() };
    const out = this.out;
    const fields = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${nestedJson(v, 1)}`);
    out.write(`{\n${[...fields, `  ${JSON.stringify(key)}: [`].join(',\n')}`);
  }

  /** An item rendered before by `jsonItemText` (in a worker thread), written as `item` writes it. */
  itemText(text: string): void {
    this.out.write(`${this.items++ === 0 ? '' : ','}\n    ${text}`);
    this.out.flush?.();
  }

  item(value: unknown): void {
    this.out.write(`${this.items++ === 0 ? '' : ','}\n    `);
    // An object field by field (a file's attempts and findings are its large parts), anything else whole.
    const fields = value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function'
      ? Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function') : null;
    if (fields === null || fields.length === 0) {
      this.out.write(nestedJson(value, 2));
    } else {
      fields.forEach(([k, v], i) => {
        this.out.write(`${i === 0 ? '{' : ','}\n      ${JSON.stringify(k)}: `);
        this.nested(v, 3);
      });
      this.out.write('\n    }');
    }
    this.out.flush?.();
  }

  /** `nestedJson(value, depth)`, written as a range of the text JSON.stringify made when the sink can. */
  private nested(value: unknown, depth: number): void {
    const r = nestedRange(value, depth);
    if (this.sink.writeRange !== undefined && !JSON_UNSAFE.test(r.text)) this.sink.writeRange(r.text, r.start, r.end);
    else this.out.write(r.text.slice(r.start, r.end));
  }

  end(tail: Record<string, unknown>): void {
    const fields = Object.entries(tail).map(([k, v]) => `,\n  ${JSON.stringify(k)}: ${nestedJson(v, 1)}`);
    this.out.write(`${this.items === 0 ? ']' : '\n  ]'}${fields.join('')}\n}\n`);
    this.out.flush?.();
  }
}

/**
 * What `JsonListWriter.item` writes for `value` after the separator, as one string: lets a worker
 * thread render a file's entry, so that the thread writing the document only copies text.
 */
export function jsonItemText(value: unknown): string {
  const fields = value !== null && typeof value === 'object' && !Array.isArray(value) && typeof (value as { toJSON?: unknown }).toJSON !== 'function'
    ? Object.entries(value).filter(([, v]) => v !== undefined && typeof v !== 'function') : null;
  if (fields === null || fields.length === 0) return nestedJson(value, 2);
  return `${fields.map(([k, v], i) => `${i === 0 ? '{' : ','}\n      ${JSON.stringify(k)}: ${nestedJson(v, 3)}`).join('')}\n    }`;
}
