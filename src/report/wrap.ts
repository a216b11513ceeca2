/** Plain-text layout helpers shared by the terminal renderers: word wrapping and catalog text. */

/**
 * Splits `text` into lines of at most `width` characters: at spaces where possible, then after
 * hyphens, inside a word only when nothing else fits. Existing line breaks are kept.
 */
export function wrapLines(text: string, width: number): string[] {
  const w = Math.max(1, width);
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    let line = '';
    const add = (piece: string, sep: string): void => {
      if (line !== '' && line.length + sep.length + piece.length <= w) { line += sep + piece; return; }
      if (line !== '') out.push(line);
      let rest = piece;
      while (rest.length > w) { out.push(rest.slice(0, w)); rest = rest.slice(w); }
      line = rest;
    };
    for (const word of raw.split(' ')) {
      if (word === '') continue;
      // A word too long for the width breaks after its hyphens first (`answered-not-completed`).
      const pieces = word.length > w ? word.split(/(?<=-)/) : [word];
      pieces.forEach((p, i) => add(p, i === 0 ? ' ' : ''));
    }
    out.push(line);
  }
  return out;
}

/**
 * Lays out catalog-style text (see model/finding-catalog.ts): `- ` items get a hanging indent,
 * lines starting with two spaces are commands and stay as they are, blank lines stay.
 */
export function layoutText(text: string, width: number, indent = ''): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') out.push('');
    else if (line.startsWith('  ')) out.push(`${indent}${line}`);
    else if (line.startsWith('- ')) {
      const [first = '', ...rest] = wrapLines(line.slice(2), width - indent.length - 2);
      out.push(`${indent}- ${first}`, ...rest.map((l) => `${indent}  ${l}`));
    } else out.push(...wrapLines(line, width - indent.length).map((l) => `${indent}${l}`));
  }
  return out.join('\n');
}

/** A numbered list, each item wrapped with a hanging indent. */
export function numbered(items: readonly string[], width: number, indent = ''): string {
  const w = String(items.length).length + 2;
  return items
    .map((item, i) => {
      const [first = '', ...rest] = wrapLines(item, width - indent.length - w);
      const pad = ' '.repeat(w);
      return [`${indent}${`${i + 1}.`.padEnd(w)}${first}`, ...rest.map((l) => `${indent}${pad}${l}`)].join('\n');
    })
    .join('\n');
}
