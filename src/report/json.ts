/**
 * JSON rendering: the document as `JSON.stringify(doc, null, 2)` writes it, byte for byte, but
 * streamed: the head first, each entry of the document's list as soon as it is done, the tail
 * last, so a run over many files never holds every report at once.
 */
import type { Sink } from './writer.js';

/** The whole document at once (small documents: `syn`). */
export const renderJson = (doc: unknown): string => `${JSON.stringify(doc, null, 2)}\n`;

/** `JSON.stringify(value, null, 2)` for a value nested `depth` levels deep. */
const nested = (value: unknown, depth: number): string => JSON.stringify(value, null, 2).replace(/\n/g, `\n${'  '.repeat(depth)}`);

/**
 * Streams `{ ...head, [key]: [items...], ...tail }`. `head`'s and `tail`'s keys keep their
 * order; the list's items are written by `item` as they come.
 */
export class JsonListWriter {
  private items = 0;

  constructor(private readonly out: Sink, head: Record<string, unknown>, key: string) {
    const fields = Object.entries(head).map(([k, v]) => `  ${JSON.stringify(k)}: ${nested(v, 1)}`);
    out.write(`{\n${[...fields, `  ${JSON.stringify(key)}: [`].join(',\n')}`);
  }

  item(value: unknown): void {
    this.out.write(`${this.items++ === 0 ? '' : ','}\n    ${nested(value, 2)}`);
  }

  end(tail: Record<string, unknown>): void {
    const fields = Object.entries(tail).map(([k, v]) => `,\n  ${JSON.stringify(k)}: ${nested(v, 1)}`);
    this.out.write(`${this.items === 0 ? ']' : '\n  ]'}${fields.join('')}\n}\n`);
  }
}
