/**
 * DCOM string bindings (MS-DCOM §2.2.19.3 STRINGBINDING): a u16 tower id followed by a
 * NUL-terminated UTF-16 network address such as `SERVER[49724]` or `10.0.0.5[49724]`. They sit
 * inside DUALSTRINGARRAYs in activation replies (RemoteCreateInstance, RemoteGetClassObject),
 * ResolveOxid / ResolveOxid2 and ServerAlive2 replies, at offsets that depend on much NDR
 * around them; a bounded scan of the stub finds them without decoding all of it.
 */
import { u16 } from './bytes.js';

/** Tower id of ncacn_ip_tcp (MS-DCOM §2.2.19.3 refers to C706 tower ids). */
export const TOWER_NCACN_IP_TCP = 0x0007;

/** One string binding with a TCP port. */
export interface StringBinding {
  /** Offset of the tower id in the buffer. */
  offset: number;
  /** The address as written: `HOST[PORT]`. */
  address: string;
  host: string;
  port: number;
}

const MAX_CHARS = 256;
const ADDRESS = /^([^[\]]+)\[(\d{1,5})\]$/;

/** Finds ncacn_ip_tcp string bindings that carry a port in `b[start, end)`, in order. */
export function scanStringBindings(b: Uint8Array, start: number, end: number, le: boolean): StringBinding[] {
  const out: StringBinding[] = [];
  for (let i = start; i + 4 <= end; i++) {
    if (u16(b, i, le) !== TOWER_NCACN_IP_TCP) continue;
    let s = '';
    let j = i + 2;
    let ok = false;
    while (j + 2 <= end && s.length <= MAX_CHARS) {
      const c = u16(b, j, le);
      j += 2;
      if (c === 0) { ok = true; break; }
      if (c < 0x20 || c > 0x7e) break;
      s += String.fromCharCode(c);
    }
    if (!ok) continue;
    const m = ADDRESS.exec(s);
    if (m === null) continue;
    const port = Number(m[2]);
    if (port < 1 || port > 65535) continue;
    out.push({ offset: i, address: s, host: m[1]!, port });
    i = j - 1;
  }
  return out;
}
