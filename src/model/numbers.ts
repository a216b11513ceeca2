/**
 * Numbers as the report writes them. `toLocaleString('en-US')` gives the same text, but its
 * first call builds an ICU number formatter: 18 ms of the 150 ms start-up budget (issue 4).
 */

/**
 * Thousands separators and at most three decimals, as `toLocaleString('en-US')` writes them:
 * `12,345.679`, `-0.5`. (Halfway cases round as `toFixed` does.)
 */
export function thousands(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'NaN' : x > 0 ? '∞' : '-∞';
  const a = Math.abs(x);
  // String() and toFixed() switch to exponents at 1e21; such numbers are integers, exact as BigInt.
  const text = a >= 1e21 ? BigInt(a).toString() : Number.isInteger(a) ? String(a) : a.toFixed(3);
  const dot = text.indexOf('.');
  let whole = dot < 0 ? text : text.slice(0, dot);
  const frac = dot < 0 ? '' : text.slice(dot + 1).replace(/0+$/, '');
  let out = '';
  while (whole.length > 3) {
    out = `,${whole.slice(-3)}${out}`;
    whole = whole.slice(0, -3);
  }
  out = whole + out + (frac === '' ? '' : `.${frac}`);
  return (x < 0 || Object.is(x, -0)) ? `-${out}` : out;
}
