/**
 * DCOM activation stubs (MS-DCOM): ISystemActivator::RemoteCreateInstance (opnum 4) request and
 * response, with the activation properties BLOB (§2.2.22) inside an OBJREF_CUSTOM. Each property
 * is serialized with type serialization version 1 (MS-RPCE §2.2.6): an 8-byte common header, an
 * 8-byte private header holding the body length, and an NDR body padded to 8 bytes, with NDR
 * alignment counted from the start of that body. Little-endian throughout.
 */
import { ByteWriter, concat, uuidBytes, type SyntaxId } from './frames.js';

/** ISystemActivator (IRemoteSCMActivator) on TCP 135 (MS-DCOM §1.9). */
export const ISYSTEM_ACTIVATOR: SyntaxId = { uuid: '000001a0-0000-0000-c000-000000000046', major: 0, minor: 0 };

const IID_IUNKNOWN = '00000000-0000-0000-c000-000000000046';
const IID_ACTIVATION_PROPERTIES_IN = '000001a2-0000-0000-c000-000000000046';
const IID_ACTIVATION_PROPERTIES_OUT = '000001a3-0000-0000-c000-000000000046';
const CLSID_ACTIVATION_PROPERTIES_IN = '00000338-0000-0000-c000-000000000046';
const CLSID_ACTIVATION_PROPERTIES_OUT = '00000339-0000-0000-c000-000000000046';
/** Property CLSIDs (MS-DCOM §1.9). */
const CLSID_SPECIAL_SYSTEM_PROPERTIES = '000001b9-0000-0000-c000-000000000046';
const CLSID_INSTANTIATION_INFO = '000001ab-0000-0000-c000-000000000046';
const CLSID_SECURITY_INFO = '000001a6-0000-0000-c000-000000000046';
const CLSID_SCM_REQUEST_INFO = '000001aa-0000-0000-c000-000000000046';
const CLSID_PROPS_OUT_INFO = '00000339-0000-0000-c000-000000000046';
const CLSID_SCM_REPLY_INFO = '000001b6-0000-0000-c000-000000000046';

/** STRINGBINDING tower ids (MS-DCOM §2.2.19.3): ncacn_ip_tcp. */
export const TOWER_TCP = 0x0007;
/** RPC_C_AUTHN_* values of SECURITYBINDINGs (MS-DCOM §2.2.19.4). */
const AUTHN_GSS_NEGOTIATE = 0x0009;
const AUTHN_WINNT = 0x000a;
const AUTHN_GSS_KERBEROS = 0x0010;

/**
 * DUALSTRINGARRAY body (MS-DCOM §2.2.19.2): wNumEntries, wSecurityOffset, then the u16 array:
 * STRINGBINDINGs (tower id, UTF-16 address, NUL), a 0x0000 terminator, SECURITYBINDINGs
 * (authn service, authz 0xffff, UTF-16 principal, NUL), a 0x0000 terminator. Counts in u16s.
 */
export function dualStringArray(bindings: readonly string[], principal: string): Uint8Array {
  const a: number[] = [];
  for (const b of bindings) {
    a.push(TOWER_TCP);
    for (const ch of b) a.push(ch.charCodeAt(0));
    a.push(0);
  }
  a.push(0);
  const security = a.length;
  for (const authn of [AUTHN_GSS_KERBEROS, AUTHN_WINNT, AUTHN_GSS_NEGOTIATE]) {
    a.push(authn, 0xffff);
    for (const ch of principal) a.push(ch.charCodeAt(0));
    a.push(0);
  }
  a.push(0);
  const w = new ByteWriter(true).u16(a.length).u16(security);
  for (const x of a) w.u16(x);
  return w.done();
}

/** Type serialization version 1 (MS-RPCE §2.2.6): common header, private header, body padded to 8. */
function serialized(body: Uint8Array): Uint8Array {
  const padded = (body.length + 7) & ~7;
  return new ByteWriter(true)
    .u8(1) // version
    .u8(0x10) // little-endian
    .u16(8) // CommonHeaderLength
    .u32(0xcccccccc) // filler
    .u32(padded) // ObjectBufferLength
    .u32(0) // filler
    .bytes(body)
    .zeros(padded - body.length)
    .done();
}

/** NDR conformant UTF-16 string with its terminating NUL: max count, offset 0, actual count, characters. */
function wstring(w: ByteWriter, s: string): void {
  w.align(4).u32(s.length + 1).u32(0).u32(s.length + 1);
  for (const ch of s) w.u16(ch.charCodeAt(0));
  w.u16(0);
}

/** MInterfacePointer as NDR (MS-DCOM §2.2.14): conformance, ulCntData, the OBJREF bytes. */
function mInterfacePointer(w: ByteWriter, objref: Uint8Array): void {
  w.align(4).u32(objref.length).u32(objref.length).bytes(objref);
}

/** OBJREF_CUSTOM (MS-DCOM §2.2.18.6): 'MEOW', flags 4, iid, clsid, cbExtension 0, reserved (the object's size), the object. */
function objrefCustom(iid: string, clsid: string, data: Uint8Array): Uint8Array {
  return new ByteWriter(true).u32(0x574f454d).u32(4).bytes(uuidBytes(iid)).bytes(uuidBytes(clsid)).u32(0).u32(data.length).bytes(data).done();
}

/** OBJREF_STANDARD (MS-DCOM §2.2.18.4): STDOBJREF (flags, public refs, OXID, OID, IPID), then the resolver's DUALSTRINGARRAY. */
function objrefStandard(iid: string, oxid: Uint8Array, oid: Uint8Array, ipid: string, resolver: Uint8Array): Uint8Array {
  return new ByteWriter(true).u32(0x574f454d).u32(1).bytes(uuidBytes(iid)).u32(0).u32(5).bytes(oxid).bytes(oid).bytes(uuidBytes(ipid)).bytes(resolver).done();
}

/**
 * Activation properties BLOB (MS-DCOM §2.2.22): dwSize, dwReserved, then the CustomHeader
 * (§2.2.22.1: totalSize, headerSize, reserved, destCtx MSHCTX_DIFFERENTMACHINE, cIfs,
 * classInfoClsid, [unique] pclsid, [unique] pSizes, null pdwReserved; the two arrays deferred),
 * then the properties.
 */
function activationBlob(props: readonly [string, Uint8Array][]): Uint8Array {
  const header = (totalSize: number, headerSize: number): Uint8Array => {
    const w = new ByteWriter(true);
    w.u32(totalSize).u32(headerSize).u32(0).u32(2).u32(props.length).zeros(16);
    w.u32(0x00020000).u32(0x00020004).u32(0);
    w.u32(props.length);
    for (const [clsid] of props) w.bytes(uuidBytes(clsid));
    w.u32(props.length);
    for (const [, p] of props) w.u32(p.length);
    return serialized(w.done());
  };
  const headerSize = header(0, 0).length;
  const total = headerSize + props.reduce((n, [, p]) => n + p.length, 0);
  return concat(new ByteWriter(true).u32(total).u32(0).done(), header(total, headerSize), ...props.map(([, p]) => p));
}

/** What the client activates. */
export interface Activation {
  clsid: string;
  /** Interface asked for; IUnknown by default. */
  iid?: string;
  /** Name or address the client gave (COSERVERINFO pwszName). */
  serverName: string;
  /** Causality id of the call. */
  cid: string;
}

/**
 * RemoteCreateInstance request stub: ORPCTHIS (version 5.7, flags, reserved, causality id, null
 * extensions), a null pUnkOuter, then pActProperties: ActivationPropertiesIn with
 * SpecialSystemProperties, InstantiationInfo, SecurityInfo and ScmRequestInfo.
 */
export function remoteCreateInstanceRequest(a: Activation): Uint8Array {
  const special = new ByteWriter(true)
    .u32(0xffffffff) // dwSessionId: none
    .u32(0)
    .u32(0)
    .u32(0)
    .u32(5) // dwDefaultAuthnLvl: packet integrity
    .zeros(16)
    .u32(0)
    .u32(0x14) // dwOrigClsctx: CLSCTX_LOCAL_SERVER | CLSCTX_REMOTE_SERVER
    .u32(2) // dwFlags: SPD_FLAG_USE_CONSOLE_SESSION
    .zeros(32)
    .done();
  const inst = (thisSize: number): Uint8Array => {
    const w = new ByteWriter(true);
    w.bytes(uuidBytes(a.clsid)).u32(0x14).u32(0).u32(0).u32(1).u32(0).u32(0x00020000).u32(thisSize).u16(5).u16(7);
    w.u32(1).bytes(uuidBytes(a.iid ?? IID_IUNKNOWN));
    return serialized(w.done());
  };
  const instSize = inst(0).length;
  const sec = new ByteWriter(true);
  sec.u32(0).u32(0x00020000).u32(0);
  sec.u32(0).u32(0x00020004).u32(0).u32(0);
  wstring(sec, a.serverName);
  const scm = new ByteWriter(true);
  scm.u32(0).u32(0x00020000);
  scm.u32(2).u16(1).align(4).u32(0x00020004); // RPC_C_IMP_LEVEL_IMPERSONATE, one protseq
  scm.u32(1).u16(TOWER_TCP);
  const blob = activationBlob([
    [CLSID_SPECIAL_SYSTEM_PROPERTIES, serialized(special)],
    [CLSID_INSTANTIATION_INFO, inst(instSize)],
    [CLSID_SECURITY_INFO, serialized(sec.done())],
    [CLSID_SCM_REQUEST_INFO, serialized(scm.done())],
  ]);
  const w = new ByteWriter(true);
  w.u16(5).u16(7).u32(0).u32(0).bytes(uuidBytes(a.cid)).u32(0);
  w.u32(0); // pUnkOuter: null
  w.u32(0x00020000);
  mInterfacePointer(w, objrefCustom(IID_ACTIVATION_PROPERTIES_IN, CLSID_ACTIVATION_PROPERTIES_IN, blob));
  return w.align(4).done();
}

/** What the object exporter answers. */
export interface ActivationReply {
  iid?: string;
  /** ncacn_ip_tcp string bindings with the port to call next: `SERVER[49725]`, `10.1.1.10[49725]`. */
  bindings: readonly string[];
  /** The resolver's own addresses (no port: it listens on 135), as the object reference carries them. */
  resolver: readonly string[];
  principal: string;
  /** 8-byte OXID and OID, 16-byte IPIDs; any fixed values. */
  oxid: Uint8Array;
  oid: Uint8Array;
  ipid: string;
  ipidRemUnknown: string;
}

/**
 * RemoteCreateInstance response stub: ORPCTHAT (flags, null extensions), ppActProperties:
 * ActivationPropertiesOut with PropsOutInfo (§2.2.22.2.9: one interface, S_OK, its OBJREF) and
 * ScmReplyInfo (§2.2.22.2.8: customREMOTE_REPLY_SCM_INFO with the OXID, pdsaOxidBindings,
 * ipidRemUnknown, authnHint and the server's COM version), then the HRESULT.
 */
export function remoteCreateInstanceResponse(r: ActivationReply): Uint8Array {
  const iid = r.iid ?? IID_IUNKNOWN;
  const objref = objrefStandard(iid, r.oxid, r.oid, r.ipid, dualStringArray(r.resolver, r.principal));
  const props = new ByteWriter(true);
  props.u32(1).u32(0x00020000).u32(0x00020004).u32(0x00020008);
  props.u32(1).bytes(uuidBytes(iid));
  props.u32(1).u32(0); // S_OK
  props.u32(1).u32(0x0002000c);
  mInterfacePointer(props, objref);
  const bindings = dualStringArray(r.bindings, r.principal);
  const reply = new ByteWriter(true);
  reply.u32(0).u32(0x00020000);
  reply.align(8).bytes(r.oxid).u32(0x00020004).bytes(uuidBytes(r.ipidRemUnknown)).u32(5).u16(5).u16(7);
  reply.align(4).u32(bindings.length / 2 - 2).bytes(bindings);
  const blob = activationBlob([
    [CLSID_PROPS_OUT_INFO, serialized(props.done())],
    [CLSID_SCM_REPLY_INFO, serialized(reply.done())],
  ]);
  const w = new ByteWriter(true);
  w.u32(0).u32(0); // ORPCTHAT
  w.u32(0x00020000);
  mInterfacePointer(w, objrefCustom(IID_ACTIVATION_PROPERTIES_OUT, CLSID_ACTIVATION_PROPERTIES_OUT, blob));
  return w.align(4).u32(0).done();
}
