/**
 * Endpoint mapper (EPM, interface e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0; C706 Appendix L
 * and O, MS-RPCE §2.2.1.2). Towers are octet strings whose floors are always little-endian,
 * except the TCP/UDP port and the IP address, which are in network order (big-endian) even
 * inside little-endian NDR (Zeek endpoint-epmapper.pac does the same).
 */
import { u16be, u16le, u32, ipv4Text } from './bytes.js';
import { uuidText } from './dcerpc.js';

export const EPM_UUID = 'e1af8308-5d1f-11c9-91a4-08002b14a0fa';
export const EpmOpnum = { LOOKUP: 2, MAP: 3 } as const;
/** ept_map / ept_lookup status: no endpoint is registered for the interface. */
export const EPT_S_NOT_REGISTERED = 0x16c9a0d6;

/** Tower floor protocol identifiers (C706 Appendix I). */
export const FloorProto = {
  TCP: 0x07,
  UDP: 0x08,
  IP: 0x09,
  RPC_CL: 0x0a,
  RPC_CO: 0x0b,
  UUID: 0x0d,
  NAMED_PIPE: 0x0f,
  LRPC: 0x10,
  NETBIOS: 0x11,
  HTTP: 0x1f,
} as const;

/** A decoded protocol tower. */
export interface Tower {
  /** Interface the tower is for (floor 1), lower-case GUID text. */
  interfaceUuid: string;
  versionMajor: number;
  versionMinor: number;
  /** ncacn_ip_tcp, ncadg_ip_udp, ncacn_http, ncacn_np, ncalrpc, or `other`. */
  protocol: string;
  /** TCP/UDP/HTTP port, or null when the tower has none. */
  port: number | null;
  /** IPv4 address from the IP floor, or null. */
  ip: string | null;
  /** Named pipe or LRPC endpoint name, or null. */
  endpoint: string | null;
}

/** At most this many floors: real towers have five; more means garbage. */
const MAX_FLOORS = 16;

/** Decodes a tower octet string `b[o, o + len)`; null when it is not a well-formed tower. */
export function parseTower(b: Uint8Array, o: number, len: number): Tower | null {
  const end = o + len;
  if (len < 2) return null;
  const floors = u16le(b, o);
  if (floors < 1 || floors > MAX_FLOORS) return null;
  let p = o + 2;
  const t: Tower = { interfaceUuid: '', versionMajor: 0, versionMinor: 0, protocol: 'other', port: null, ip: null, endpoint: null };
  let sawCo = false;
  let sawCl = false;
  let transport = 0;
  for (let i = 0; i < floors; i++) {
    if (p + 2 > end) return null;
    const lhsLen = u16le(b, p);
    p += 2;
    if (lhsLen < 1 || p + lhsLen + 2 > end) return null;
    const proto = b[p]!;
    const lhs = p;
    p += lhsLen;
    const rhsLen = u16le(b, p);
    p += 2;
    if (p + rhsLen > end) return null;
    const rhs = p;
    p += rhsLen;
    if (i === 0) {
      if (proto !== FloorProto.UUID || lhsLen < 19) return null;
      t.interfaceUuid = uuidText(b, lhs + 1, true);
      t.versionMajor = u16le(b, lhs + 17);
      if (rhsLen >= 2) t.versionMinor = u16le(b, rhs);
      continue;
    }
    switch (proto) {
      case FloorProto.RPC_CO: sawCo = true; break;
      case FloorProto.RPC_CL: sawCl = true; break;
      case FloorProto.TCP:
      case FloorProto.UDP:
      case FloorProto.HTTP:
        // C706 Appendix I: the port is exactly 2 octets, big-endian; 0 is no port. Anything
        // else is a malformed tower, whose port must not be reported.
        if (rhsLen !== 2) return null;
        transport = proto;
        t.port = u16be(b, rhs) === 0 ? null : u16be(b, rhs);
        break;
      case FloorProto.IP:
        // The IPv4 address is exactly 4 octets.
        if (rhsLen !== 4) return null;
        t.ip = ipv4Text(b, rhs);
        break;
      case FloorProto.NAMED_PIPE:
      case FloorProto.LRPC:
        transport = transport === 0 ? proto : transport;
        t.endpoint = asciiz(b, rhs, rhsLen);
        break;
      case FloorProto.NETBIOS:
        // In an ncacn_np tower this floor follows the pipe and holds the host (\\DC01), not the endpoint.
        transport = transport === 0 ? proto : transport;
        if (t.endpoint === null) t.endpoint = asciiz(b, rhs, rhsLen);
        break;
      default:
    }
  }
  t.protocol = protocolName(transport, sawCo, sawCl);
  return t;
}

function protocolName(transport: number, co: boolean, cl: boolean): string {
  if (transport === FloorProto.TCP && co) return 'ncacn_ip_tcp';
  if (transport === FloorProto.UDP && cl) return 'ncadg_ip_udp';
  if (transport === FloorProto.HTTP && co) return 'ncacn_http';
  if (transport === FloorProto.NAMED_PIPE) return 'ncacn_np';
  if (transport === FloorProto.LRPC) return 'ncalrpc';
  if (transport === FloorProto.NETBIOS) return 'ncacn_nb_tcp';
  return 'other';
}

function asciiz(b: Uint8Array, o: number, len: number): string {
  let s = '';
  for (let i = 0; i < len; i++) {
    const c = b[o + i]!;
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

/**
 * A cursor over NDR stub data, alignment relative to the stub start (C706 §14.2.2). In NDR64
 * (MS-RPCE §2.2.5) conformance, variance and pointers are 8 bytes, aligned to 8; plain
 * unsigned longs stay 4 bytes.
 */
class Ndr {
  constructor(readonly b: Uint8Array, readonly start: number, readonly end: number, readonly le: boolean, readonly ndr64: boolean, public p: number = start) {}
  align(n: number): void { this.p = this.start + ((this.p - this.start + n - 1) & ~(n - 1)); }
  align4(): void { this.align(4); }
  has(n: number): boolean { return this.p + n <= this.end; }
  u32(): number { this.align(4); const v = u32(this.b, this.p, this.le); this.p += 4; return v; }
  /** Conformance / variance count or pointer referent: u32 in NDR, u64 in NDR64. */
  count(): number {
    if (!this.ndr64) return this.u32();
    this.align(8);
    const lo = u32(this.b, this.p, this.le);
    const hi = u32(this.b, this.p + 4, this.le);
    this.p += 8;
    return this.le ? hi * 4294967296 + lo : lo * 4294967296 + hi;
  }
  /** Bytes a count() takes, for bounds checks. */
  get countSize(): number { return this.ndr64 ? 8 : 4; }
}

/** Upper bound on towers or entries we decode from one answer. */
const MAX_ITEMS = 1024;

/** Decodes a twr_t (conformant struct: max_count, tower_length, octets) at the cursor. */
function twr(n: Ndr): Tower | null | undefined {
  n.align(n.countSize);
  if (!n.has(n.countSize + 4)) return undefined;
  n.count(); // conformance (max_count), equal to tower_length
  const len = n.u32();
  if (!n.has(len)) return undefined;
  const t = parseTower(n.b, n.p, len);
  n.p += len;
  return t;
}

/** What an ept_map request asks for. */
export interface EptMapRequest {
  /** The interface of the map tower (what the client wants to reach). */
  tower: Tower | null;
  maxTowers: number;
}

/**
 * ept_map request stub (MS-RPCE §2.2.1.2.5): [unique] uuid_t *object, [full] twr_t *map_tower,
 * context handle (20), max_towers. Null when the stub does not fit.
 */
export function parseEptMapRequest(b: Uint8Array, start: number, end: number, le: boolean, ndr64 = false): EptMapRequest | null {
  const n = new Ndr(b, start, end, le, ndr64);
  if (!n.has(n.countSize)) return null;
  if (n.count() !== 0) { n.align4(); if (!n.has(16)) return null; n.p += 16; }
  n.align(n.countSize);
  if (!n.has(n.countSize)) return null;
  let tower: Tower | null = null;
  if (n.count() !== 0) {
    const t = twr(n);
    if (t === undefined) return null;
    tower = t;
  }
  n.align4();
  if (!n.has(24)) return { tower, maxTowers: 0 };
  n.p += 20;
  return { tower, maxTowers: n.u32() };
}

/**
 * The common head of ept_map and ept_lookup answers: context handle (20), the count (num_towers
 * or num_ents, which actual_count repeats), then the conformant varying array's max_count,
 * offset and actual_count. Returns actual_count with the cursor on the first element, or -1.
 */
function answerArray(n: Ndr): number {
  if (!n.has(20 + 4)) return -1;
  n.p += 20;
  n.u32();
  n.align(n.countSize);
  if (!n.has(3 * n.countSize)) return -1;
  n.count(); // max_count
  n.count(); // offset
  const actual = n.count();
  return actual > MAX_ITEMS ? -1 : actual;
}

/** What an ept_map or ept_lookup response says. */
export interface EpmResponse {
  /** error_status_t: 0 ok, EPT_S_NOT_REGISTERED, ... */
  status: number;
  towers: Tower[];
  /** Non-null tower pointers whose tower was not well formed. */
  malformed: number;
  /** Bytes after the status (alignment padding aside): none in a real answer. */
  trailing: number;
}

/**
 * Statuses an endpoint mapper answers with: success; the DCE codes EPT_S_NOT_REGISTERED
 * (0x16c9a0d6, also "no more entries" to ept_lookup) and EPT_S_NO_MEMORY (0x16c9a012); the
 * Windows forms EPT_S_INVALID_ENTRY, EPT_S_CANT_PERFORM_OP and EPT_S_NOT_REGISTERED (1751 to
 * 1753), which Windows servers also send (Samba's epmapper uses 0x6d8 for "can't perform").
 */
const EPM_STATUSES: ReadonlySet<number> = new Set([0, EPT_S_NOT_REGISTERED, 0x16c9a012, 0x6d7, 0x6d8, 0x6d9]);

/**
 * True when `r` reads as a real endpoint mapper answer: a status the endpoint mapper uses,
 * every tower well formed, nothing after the status. Used when the bind was not captured and
 * the answer could as well be DCOM's (activation and OXID resolution share TCP 135 and opnums).
 */
export function plausibleEpmResponse(r: EpmResponse): boolean {
  return EPM_STATUSES.has(r.status) && r.malformed === 0 && r.trailing === 0;
}

/**
 * ept_map response stub: context handle (20), num_towers, [size_is(max_towers),
 * length_is(*num_towers)] twr_p_t towers[] (max_count, offset, actual_count, referents, then the
 * deferred twr_t of each non-null referent), error_status. Null when the stub does not fit.
 */
export function parseEptMapResponse(b: Uint8Array, start: number, end: number, le: boolean, ndr64 = false): EpmResponse | null {
  const n = new Ndr(b, start, end, le, ndr64);
  const actual = answerArray(n);
  if (actual < 0 || !n.has(n.countSize * actual)) return null;
  const refs: number[] = [];
  for (let i = 0; i < actual; i++) refs.push(n.count());
  return deferredTowers(n, refs);
}

/**
 * The end of both response stubs: the towers deferred behind their referents (`refs`, 0 for a
 * null pointer), then error_status. Null when the stub is cut or malformed.
 */
function deferredTowers(n: Ndr, refs: readonly number[]): EpmResponse | null {
  const towers: Tower[] = [];
  let malformed = 0;
  for (const r of refs) {
    if (r === 0) continue;
    const t = twr(n);
    if (t === undefined) return null;
    if (t !== null) towers.push(t);
    else malformed++;
  }
  n.align4();
  if (!n.has(4)) return null;
  const status = n.u32();
  // A stub is padded to 8 octets at most (MS-RPCE §3.3.1.5.7 alignment of the body).
  const rest = n.end - n.p;
  return { status, towers, malformed, trailing: rest < 8 ? 0 : rest };
}

/**
 * ept_lookup response stub (C706 Appendix O): context handle (20), num_ents, ept_entry_t
 * entries[] (max_count, offset, actual_count; each entry: object uuid (16), twr_p_t tower,
 * annotation as a varying char[64]: offset, actual_count, chars), then the deferred towers,
 * then error_status.
 */
export function parseEptLookupResponse(b: Uint8Array, start: number, end: number, le: boolean, ndr64 = false): EpmResponse | null {
  const n = new Ndr(b, start, end, le, ndr64);
  const actual = answerArray(n);
  if (actual < 0) return null;
  const refs: number[] = [];
  for (let i = 0; i < actual; i++) {
    n.align(n.countSize);
    if (!n.has(16 + 3 * n.countSize)) return null;
    n.p += 16;
    refs.push(n.count());
    n.count(); // annotation offset
    const chars = n.count();
    if (!n.has(chars)) return null;
    n.p += chars;
  }
  return deferredTowers(n, refs);
}

/** ept_lookup inquiry types (C706 Appendix O): which entries a lookup asks for. */
export const EptInquiry = { ALL_ELTS: 0, MATCH_BY_IF: 1, MATCH_BY_OBJ: 2, MATCH_BY_BOTH: 3 } as const;

/** What an ept_lookup request asks for. */
export interface EptLookupRequest {
  inquiryType: number;
  /** The interface to match (MATCH_BY_IF, MATCH_BY_BOTH), or null. */
  interfaceUuid: string | null;
  /**
   * True when the entry handle is not null: the call continues an enumeration begun by an
   * earlier one (rpcdump, `portqry -e 135` call ept_lookup until the endpoint mapper answers
   * EPT_S_NOT_REGISTERED, which then means "no more entries").
   */
  continued: boolean;
  maxEntries: number;
}

/**
 * ept_lookup request stub (C706 Appendix O, MS-RPCE §2.2.1.2.4): inquiry_type, [ptr] uuid_p_t
 * object, [ptr] rpc_if_id_p_t Ifid (uuid, vers_major, vers_minor), vers_option, entry_handle
 * (a context handle: 20 octets), max_ents. Top-level pointers are followed at once by their
 * referent. Null when the stub does not fit.
 */
export function parseEptLookupRequest(b: Uint8Array, start: number, end: number, le: boolean, ndr64 = false): EptLookupRequest | null {
  const n = new Ndr(b, start, end, le, ndr64);
  if (!n.has(4)) return null;
  const inquiryType = n.u32();
  n.align(n.countSize);
  if (!n.has(n.countSize)) return null;
  if (n.count() !== 0) { n.align4(); if (!n.has(16)) return null; n.p += 16; }
  n.align(n.countSize);
  if (!n.has(n.countSize)) return null;
  let interfaceUuid: string | null = null;
  if (n.count() !== 0) {
    n.align4();
    if (!n.has(20)) return null;
    interfaceUuid = uuidText(b, n.p, le);
    n.p += 20;
  }
  n.align4();
  if (!n.has(4 + 20 + 4)) return null;
  n.u32(); // vers_option
  let continued = false;
  for (let i = 0; i < 20; i++) if (b[n.p + i] !== 0) { continued = true; break; }
  n.p += 20;
  return { inquiryType, interfaceUuid, continued, maxEntries: n.u32() };
}
