/**
 * The HTML report's pictures as inline SVG, drawn from the layout's figures (facts: evidence
 * roles and times, port counts, ranges), never from words. Styling is by class only (the page's
 * one style sheet), so the Content-Security-Policy needs no inline styles; every string from a
 * capture is escaped (escape.ts) like any other text.
 */
import type { Figure, TimelineEvent } from './layout.js';
import type { PortSummary } from '../model/connections.js';
import { htmlEscape as esc } from './escape.js';
import { minOf } from '../model/lists.js';

const W = 760;
const PAD = 24;

/** How each evidence role is marked on a timeline: a shape class and a short legend. */
const MARKS: Partial<Record<TimelineEvent['role'], { cls: string; label: string }>> = {
  'endpoint-request': { cls: 'request', label: 'request' },
  'endpoint-answer': { cls: 'answer', label: 'endpoint answer' },
  'epm-error': { cls: 'answer', label: 'EPM error' },
  syn: { cls: 'syn', label: 'SYN' },
  'syn-retransmission': { cls: 'retx', label: 'SYN retransmission' },
  'syn-ack': { cls: 'synack', label: 'SYN-ACK' },
  ack: { cls: 'synack', label: 'ACK' },
  rst: { cls: 'rst', label: 'RST' },
  'icmp-unreachable': { cls: 'icmp', label: 'ICMP unreachable' },
  'epm-syn': { cls: 'syn', label: 'EPM SYN' },
  'epm-syn-ack': { cls: 'synack', label: 'EPM SYN-ACK' },
  'rpc-fault': { cls: 'rst', label: 'fault' },
  'rpc-bind': { cls: 'request', label: 'bind' },
  'bind-rejected': { cls: 'rst', label: 'bind refused' },
  'bind-closed': { cls: 'rst', label: 'close instead of a bind answer' },
  'existing-connection': { cls: 'synack', label: 'connection open before the capture' },
  'answered-elsewhere': { cls: 'synack', label: 'answer on another connection' },
  // Agent checks: UDP requests and answers, heartbeats around a silence, pings, the channel.
  request: { cls: 'request', label: 'request' },
  'request-retransmission': { cls: 'retx', label: 'request sent again' },
  answer: { cls: 'answer', label: 'answer' },
  'related-answer': { cls: 'answer', label: 'answer on another port' },
  'error-answer': { cls: 'rst', label: 'error answer' },
  'stray-answer': { cls: 'icmp', label: 'answer from another address' },
  'transmission-before': { cls: 'heartbeat', label: 'last transmission before the silence' },
  'transmission-after': { cls: 'heartbeat', label: 'first transmission after it' },
  'echo-request': { cls: 'request', label: 'ping' },
  'echo-reply': { cls: 'synack', label: 'ping reply' },
  'tls-alert': { cls: 'rst', label: 'TLS alert' },
  'server-close': { cls: 'rst', label: 'close by the server' },
  'channel-data': { cls: 'request', label: 'channel data' },
  'capture-end': { cls: 'other', label: 'end of the capture' },
};
const markOf = (role: TimelineEvent['role']): { cls: string; label: string } => MARKS[role] ?? { cls: 'other', label: role };

/** `+3 s`, `+0.25 s`, `+120 s`. */
function secs(s: number): string {
  const a = Math.abs(s);
  const t = a >= 10 ? Math.round(s).toString() : a >= 1 ? s.toFixed(1) : s.toFixed(a >= 0.01 ? 2 : 3);
  return `${s >= 0 ? '+' : ''}${t.replace(/\.0+$/, '')} s`;
}

/** Round step for about `n` axis ticks over `span` seconds. */
function step(span: number, n: number): number {
  const raw = span / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * mag >= raw) return m * mag;
  return 10 * mag;
}

/** One failing conversation: evidence frames as marks on a time axis, frame numbers below. */
function timeline(f: Extract<Figure, { kind: 'timeline' }>): string {
  const ev = [...f.events].sort((a, b) => a.time - b.time || a.frame - b.frame);
  const t0 = ev[0]!.time;
  const span = Math.max(ev[ev.length - 1]!.time - t0, 1);
  const x = (t: number): number => PAD + ((t - t0) / span) * (W - 2 * PAD);
  const axisY = 44;
  const out: string[] = [];
  const s = step(span, 6);
  for (let t = 0; t <= span + 1e-9; t += s) {
    out.push(`<line class="grid" x1="${x(t0 + t).toFixed(1)}" y1="20" x2="${x(t0 + t).toFixed(1)}" y2="${axisY}"/>`);
    out.push(`<text class="axis" x="${x(t0 + t).toFixed(1)}" y="14" text-anchor="middle">${esc(secs(t))}</text>`);
  }
  out.push(`<line class="axis" x1="${PAD}" y1="${axisY}" x2="${W - PAD}" y2="${axisY}"/>`);
  // Frame labels in up to three rows so that close marks keep readable numbers.
  const rowEnd = [-Infinity, -Infinity, -Infinity];
  let rows = 1;
  for (const e of ev) {
    const m = markOf(e.role);
    const cx = x(e.time);
    const tip = `frame ${e.frame}: ${m.label}${e.n !== undefined ? ` ${e.n}` : ''} at ${secs(e.time)} from the capture start`;
    out.push(`<g class="mark ${m.cls}"><title>${esc(tip)}</title>${shape(m.cls, cx, axisY)}</g>`);
    const label = `${e.frame}`;
    const wLabel = label.length * 6.5 + 6;
    let row = rowEnd.findIndex((end) => cx - wLabel / 2 > end);
    if (row < 0) row = rowEnd.indexOf(minOf(rowEnd));
    rowEnd[row] = cx + wLabel / 2;
    rows = Math.max(rows, row + 1);
    out.push(`<text class="frame" x="${cx.toFixed(1)}" y="${axisY + 20 + row * 13}" text-anchor="middle">${esc(label)}</text>`);
  }
  // A heartbeat silence: the stretch between the last transmission before it and the first after
  // it (or the end of what is drawn), shaded under the axis marks.
  const before = ev.find((e) => e.role === 'transmission-before');
  if (before !== undefined) {
    const after = ev.find((e) => (e.role === 'transmission-after' || e.role === 'capture-end') && e.time >= before.time);
    const x1 = x(before.time);
    const x2 = after !== undefined ? x(after.time) : W - PAD;
    const silent = `${secs((after?.time ?? ev[ev.length - 1]!.time) - before.time).replace('+', '')} without a transmission${after?.role === 'capture-end' ? ', to the end of the capture' : ''}`;
    out.unshift(`<g class="gap"><title>${esc(silent)}</title><rect x="${x1.toFixed(1)}" y="22" width="${Math.max(1, x2 - x1).toFixed(1)}" height="${axisY - 22}"/></g>`);
  }
  const h = axisY + 20 + rows * 13;
  // The legend names each kind of mark by the first evidence drawn with it (marks are shared by kind).
  const roles = [...new Set(ev.map((e) => markOf(e.role).cls))];
  const legend = roles.map((c) => markOf(ev.find((e) => markOf(e.role).cls === c)!.role).label);
  const title = `Timeline of ${f.title}: ${ev.length} evidence frame(s) over ${secs(span)}${f.more > 0 ? ` (${f.more} more not drawn)` : ''}`;
  return `<figure class="timeline sev-${f.severity}"><svg role="img" viewBox="0 0 ${W} ${h}" width="${W}" height="${h}" aria-label="${esc(title)}"><title>${esc(title)}</title>${out.join('')}</svg>` +
    `<figcaption>${esc(f.title)}: ${legend.map((l, i) => `<span class="key ${roles[i]}">${esc(l)}</span>`).join(' ')}; numbers are frames${f.more > 0 ? `; ${f.more} more evidence frame(s) not drawn` : ''}.</figcaption></figure>`;
}

/** The mark of one evidence frame at (cx, y) on the axis. */
function shape(cls: string, cx: number, y: number): string {
  const c = cx.toFixed(1);
  switch (cls) {
    case 'syn': return `<line x1="${c}" y1="${y - 16}" x2="${c}" y2="${y}"/>`;
    case 'retx': return `<line x1="${c}" y1="${y - 16}" x2="${c}" y2="${y}"/><circle cx="${c}" cy="${y - 18}" r="2.5"/>`;
    case 'synack': return `<path d="M${c} ${y} l-5 -10 h10 z"/>`;
    case 'rst': return `<path d="M${(cx - 5).toFixed(1)} ${y - 15} l10 10 m0 -10 l-10 10"/>`;
    case 'icmp': return `<path d="M${c} ${y - 16} l6 7 l-6 7 l-6 -7 z"/>`;
    case 'answer': case 'request': return `<circle cx="${c}" cy="${y - 9}" r="5"/>`;
    case 'heartbeat': return `<rect x="${(cx - 3).toFixed(1)}" y="${y - 14}" width="6" height="14"/>`;
    default: return `<line x1="${c}" y1="${y - 8}" x2="${c}" y2="${y}"/>`;
  }
}

/**
 * Port axis: well-known ports, the registered range and the default dynamic range get fixed
 * shares of the width (a linear axis would squeeze 135 and 445 into one pixel).
 */
const SEGMENTS: readonly [number, number, number, number][] = [[1, 1023, 0, 0.14], [1024, 49151, 0.14, 0.56], [49152, 65535, 0.56, 1]];
function portX(p: number): number {
  for (const [lo, hi, a, b] of SEGMENTS) {
    if (p <= hi) return PAD + (a + ((Math.max(p, lo) - lo) / (hi - lo)) * (b - a)) * (W - 2 * PAD);
  }
  return W - PAD;
}

const portClass = (p: PortSummary): string => (p.failed > 0 ? (p.established > 0 ? 'mixed' : 'bad') : p.established > 0 ? 'good' : 'unknown');

/** Ports attempted, coloured by how attempts fared, against the expected dynamic range(s). */
function ports(f: Extract<Figure, { kind: 'ports' }>): string {
  const axisY = 56;
  const out: string[] = [];
  for (const [lo, hi] of f.ranges) {
    out.push(`<rect class="expected" x="${portX(lo).toFixed(1)}" y="${axisY - 30}" width="${Math.max(1, portX(hi) - portX(lo)).toFixed(1)}" height="30"><title>${esc(`expected dynamic range ${lo}-${hi}`)}</title></rect>`);
  }
  out.push(`<line class="axis" x1="${PAD}" y1="${axisY}" x2="${W - PAD}" y2="${axisY}"/>`);
  for (const [lo, , a] of SEGMENTS) {
    const px = (PAD + a * (W - 2 * PAD)).toFixed(1);
    out.push(`<line class="grid" x1="${px}" y1="${axisY}" x2="${px}" y2="${axisY + 5}"/><text class="axis" x="${px}" y="${axisY + 16}" text-anchor="${a === 0 ? 'start' : 'middle'}">${lo}</text>`);
  }
  out.push(`<text class="axis" x="${W - PAD}" y="${axisY + 16}" text-anchor="end">65535</text>`);
  const labelled: { x: number; text: string; cls: string }[] = [];
  for (const p of f.ports) {
    const cx = portX(p.port).toFixed(1);
    const cls = portClass(p);
    const tip = `TCP ${p.port}: ${p.attempts} attempt(s), ${p.established} established, ${p.failed} failed, ${p.incomplete} incomplete; ${p.advertised ? 'advertised' : 'not advertised'}; ${p.inRange ? 'inside' : 'outside'} the expected range`;
    out.push(`<g class="port ${cls}"><title>${esc(tip)}</title><line x1="${cx}" y1="${axisY - 26}" x2="${cx}" y2="${axisY}"/>${p.advertised ? `<path d="M${cx} ${axisY - 27} l-4 -7 h8 z"/>` : ''}</g>`);
    if (p.failed > 0 || p.advertised) labelled.push({ x: portX(p.port), text: String(p.port), cls });
  }
  // Labels of failed and advertised ports, above the marks, in rows where they would collide.
  const rowEnd: number[] = [];
  const labels: string[] = [];
  for (const l of labelled.slice(0, 24)) {
    const half = l.text.length * 3.4 + 3;
    let row = rowEnd.findIndex((end) => l.x - half > end);
    if (row < 0) { if (rowEnd.length >= 2) continue; row = rowEnd.length; rowEnd.push(-Infinity); }
    rowEnd[row] = l.x + half;
    labels.push(`<text class="portlabel ${l.cls}" x="${l.x.toFixed(1)}" y="${axisY - 38 - row * 11}" text-anchor="middle">${esc(l.text)}</text>`);
  }
  const h = axisY + 22;
  const title = `Server ports of ${f.ports.length} port(s) with connection attempts, against the expected dynamic range ${f.ranges.map(([a, b]) => `${a}-${b}`).join(', ')}`;
  return `<figure class="ports"><svg role="img" viewBox="0 -10 ${W} ${h + 10}" width="${W}" height="${h + 10}" aria-label="${esc(title)}"><title>${esc(title)}</title>${out.join('')}${labels.join('')}</svg>` +
    '<figcaption>Ports with connection attempts: <span class="key good">established</span> <span class="key bad">failed</span> <span class="key mixed">both</span> <span class="key unknown">too soon to tell</span>; a triangle marks a port an endpoint mapper or DCOM answer advertised; the shaded band is the expected dynamic range. The axis gives ports 1-1023, 1024-49151 and 49152-65535 fixed shares of the width.</figcaption></figure>';
}

/** A figure as inline SVG inside a `<figure>`. */
export function figureHtml(f: Figure): string {
  if (f.kind === 'timeline') return f.events.length > 0 ? timeline(f) : '';
  return f.ports.length > 0 ? ports(f) : '';
}
