/** Option values shared by commands, and the parsers that validate them (usage errors exit 2). */
import { InvalidArgumentError } from 'commander';
import type { Severity } from '../model/finding.js';
import type { RequiredPort } from '../model/agent.js';
import { MIN_MEMORY_BUDGET_MIB } from '../model/memory-budget.js';

/** `--fail-on` choices: a severity, or `none` to never exit 1 for findings. */
export const FAIL_ON = ['error', 'warning', 'info', 'none'] as const;
export type FailOn = Severity | 'none';

/** `--dynamic-range` when none is given: Windows Vista / Server 2008 and later. */
export const DEFAULT_RANGES_TEXT = '49152-65535';
/** `--follow-window` when none is given, in seconds. */
export const DEFAULT_FOLLOW_WINDOW_SECONDS = 120;

const RANGE = /^(\d{1,5})-(\d{1,5})$/;

/**
 * Parses one `--dynamic-range` value (`A-B`, or several comma-separated) and appends it to
 * `previous`, so the option can be repeated. Ports are 1-65535 and A <= B.
 */
export function parseDynamicRanges(value: string, previous: [number, number][] = []): [number, number][] {
  const out = [...previous];
  for (const part of value.split(',')) {
    const m = RANGE.exec(part.trim());
    if (m === null) throw new InvalidArgumentError(`"${part.trim()}" is not a port range; write it as START-END, e.g. 49152-65535 or 6005-65534.`);
    const a = Number(m[1]);
    const b = Number(m[2]);
    if (a < 1 || a > 65535 || b < 1 || b > 65535) throw new InvalidArgumentError(`"${part.trim()}": ports must be between 1 and 65535.`);
    if (a > b) throw new InvalidArgumentError(`"${part.trim()}": the start (${a}) is above the end (${b}).`);
    out.push([a, b]);
  }
  return out;
}

/** Parses `--follow-window`: a positive, finite number of seconds. */
export function parseFollowWindow(value: string): number {
  const s = Number(value);
  if (value.trim() === '' || !Number.isFinite(s) || s <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number of seconds.`);
  return s;
}

/** Parses `--memory-budget`: MiB of state per capture analyzed at once (model/memory-budget.ts), 16 to 1048576. */
export function parseMemoryBudget(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < MIN_MEMORY_BUDGET_MIB || n > 1024 * 1024) {
    throw new InvalidArgumentError(`"${value}" is not a memory budget; give MiB from ${MIN_MEMORY_BUDGET_MIB} to 1048576, e.g. 160 or 512.`);
  }
  return n;
}

/** Parses `--jobs`: a whole number of worker threads, 1 to 256. */
export function parseJobs(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(n) || n < 1 || n > 256) throw new InvalidArgumentError(`"${value}" is not a number of jobs from 1 to 256.`);
  return n;
}

/** `--profile` choices (model/agent.ts PROFILES). */
export { PROFILES } from '../model/agent.js';

/** `--heartbeat-interval` and `--missed-heartbeats` when none is given. */
export const DEFAULT_HEARTBEAT_INTERVAL_SECONDS = 60;
export const DEFAULT_MISSED_HEARTBEATS = 4;

const REQUIRED = /^(tcp|udp)\/(\d{1,5})$/i;

/** Parses one `--require` value (`tcp/5723,udp/53`, repeatable) and appends to `previous`; no repeats. */
export function parseRequired(value: string, previous: RequiredPort[] = []): RequiredPort[] {
  const out = [...previous];
  for (const part of value.split(',')) {
    const m = REQUIRED.exec(part.trim());
    if (m === null) throw new InvalidArgumentError(`"${part.trim()}" is not a port; write it as tcp/PORT or udp/PORT, e.g. tcp/5723,udp/53.`);
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new InvalidArgumentError(`"${part.trim()}": ports must be between 1 and 65535.`);
    const protocol = m[1]!.toLowerCase() as 'tcp' | 'udp';
    if (!out.some((r) => r.protocol === protocol && r.port === port)) out.push({ protocol, port });
  }
  return out;
}

/** Parses `--heartbeat-interval`: a positive, finite number of seconds. */
export function parseHeartbeatInterval(value: string): number {
  return parseFollowWindow(value);
}

/** Parses `--missed-heartbeats`: a whole number from 1 to 100. */
export function parseMissedHeartbeats(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isInteger(n) || n < 1 || n > 100) throw new InvalidArgumentError(`"${value}" is not a whole number of heartbeats from 1 to 100.`);
  return n;
}

/** Parses one `--server` value (an address or a host name; repeatable, or comma-separated). */
export function parseServers(value: string, previous: string[] = []): string[] {
  const out = [...previous];
  for (const part of value.split(',')) {
    const v = part.trim();
    if (!/^[A-Za-z0-9][A-Za-z0-9.:_-]*$/.test(v)) throw new InvalidArgumentError(`"${v}" is not a host name or address.`);
    out.push(v);
  }
  return out;
}
