import { describe, expect, it } from 'vitest';
import {
  CO_HDR, DcerpcView, NDR64_UUID, NDR_UUID, PType, PfcFlag, bindAck, bindContexts, looksLikeCoPdu, uuidText,
} from '../../../src/wire/dcerpc.js';
import { Status } from '../../../src/wire/status.js';
import { concat, hex } from '../../helpers/frame.js';
import { Rng } from '../../helpers/random.js';
import {
  DRSUAPI_V4, EPM_V3, NDR_V2, dcerpcBind, dcerpcBindAck, dcerpcFault, dcerpcRequest, dcerpcResponse,
} from '../../../samples/gen/frames.js';

const NDR64 = { uuid: NDR64_UUID, major: 1, minor: 0 };
const v = new DcerpcView();

/** bind, little-endian NDR: EPM v3.0 over NDR 2.0, call_id 1. */
const BIND_LE = hex`
  05 00 0b 03  10 00 00 00  48 00 00 00  01 00 00 00                     # header: 5.0 bind, first|last, drep LE/ASCII, frag_length 72, auth 0, call_id 1
  b8 10 b8 10  00 00 00 00                                                # max_xmit 4280, max_recv 4280, assoc_group 0
  01 00 00 00                                                             # n_context_elem 1
  00 00 01 00                                                             # p_cont_id 0, n_transfer_syn 1
  08 83 af e1 1f 5d c9 11 91 a4 08 00 2b 14 a0 fa  03 00 00 00            # abstract: e1af8308-5d1f-11c9-91a4-08002b14a0fa v3.0
  04 5d 88 8a eb 1c c9 11 9f e8 08 00 2b 10 48 60  02 00 00 00            # transfer: NDR 2.0`;

/** The same bind in big-endian NDR: integers and the UUIDs' first three fields flip, if_version is one u32. */
const BIND_BE = hex`
  05 00 0b 03  00 00 00 00  00 48 00 00  00 00 00 01                     # header: drep BE, frag_length 72, call_id 1
  10 b8 10 b8  00 00 00 00                                                # max_xmit, max_recv, assoc_group
  01 00 00 00                                                             # n_context_elem 1
  00 00 01 00                                                             # p_cont_id 0, n_transfer_syn 1
  e1 af 83 08 5d 1f 11 c9 91 a4 08 00 2b 14 a0 fa  00 00 00 03            # abstract: EPM, if_version 3 (major in the low 16 bits)
  8a 88 5d 04 1c eb 11 c9 9f e8 08 00 2b 10 48 60  00 00 00 02            # transfer: NDR 2.0`;

/** bind_ack, little-endian: secondary address "49667", one accepted context. */
const BIND_ACK_LE = hex`
  05 00 0c 03  10 00 00 00  3c 00 00 00  01 00 00 00                     # header: 5.0 bind_ack, frag_length 60, call_id 1
  b8 10 b8 10  34 12 00 00                                                # max_xmit, max_recv, assoc_group 0x1234
  06 00 34 39 36 36 37 00                                                 # sec_addr: length 6, "49667\\0" (ends 4-aligned at 32)
  01 00 00 00                                                             # n_results 1
  00 00 00 00                                                             # result 0 acceptance, reason 0
  04 5d 88 8a eb 1c c9 11 9f e8 08 00 2b 10 48 60  02 00 00 00            # transfer: NDR 2.0`;

/** fault, little-endian: nca_s_unk_if (0x1c010003) for call 7. */
const FAULT_LE = hex`
  05 00 03 23  10 00 00 00  20 00 00 00  07 00 00 00                     # header: fault, first|last|did_not_execute, frag_length 32, call_id 7
  00 00 00 00  01 00 00 00                                                # alloc_hint, p_cont_id 1, cancel_count 0
  03 00 01 1c  00 00 00 00                                                # status 0x1c010003, reserved`;

describe('looksLikeCoPdu', () => {
  it('recognises connection-oriented PDUs in both byte orders', () => {
    expect(looksLikeCoPdu(BIND_LE, 0, BIND_LE.length)).toBe(true);
    expect(looksLikeCoPdu(BIND_BE, 0, BIND_BE.length)).toBe(true);
    expect(looksLikeCoPdu(BIND_ACK_LE, 0, BIND_ACK_LE.length)).toBe(true);
    // Version 5.1 is what Windows sends in some alter_context PDUs.
    const v51 = BIND_LE.slice();
    v51[1] = 1;
    expect(looksLikeCoPdu(v51, 0, v51.length)).toBe(true);
  });

  it('rejects other protocols, connectionless PTYPEs, bad drep and short frag_length', () => {
    const cases: [string, (b: Uint8Array) => void][] = [
      ['version 4 (connectionless)', (b) => { b[0] = 4; }],
      ['minor version 2', (b) => { b[1] = 2; }],
      ['ptype 20 (past orphaned)', (b) => { b[2] = 20; }],
      ...[4, 5, 6, 7, 8, 9, 10].map((t): [string, (b: Uint8Array) => void] => [`connectionless ptype ${t}`, (b) => { b[2] = t; }]),
      ['integer representation 2', (b) => { b[4] = 0x20; }],
      ['character representation 2', (b) => { b[4] = 0x12; }],
      ['frag_length 15', (b) => { b[8] = 15; b[9] = 0; }],
    ];
    for (const [name, mutate] of cases) {
      const b = BIND_LE.slice();
      mutate(b);
      expect(looksLikeCoPdu(b, 0, b.length), name).toBe(false);
    }
    // "GET / HTTP/1.1" and a TLS record are not DCE/RPC.
    const http = new TextEncoder().encode('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(looksLikeCoPdu(http, 0, http.length)).toBe(false);
    const tls = hex`16 03 01 02 00 01 00 01 fc 03 03 00 00 00 00 00 00 00`;
    expect(looksLikeCoPdu(tls, 0, tls.length)).toBe(false);
  });

  it('needs the whole 16-byte header, not the whole PDU', () => {
    expect(looksLikeCoPdu(BIND_LE, 0, 15)).toBe(false);
    expect(looksLikeCoPdu(BIND_LE, 0, 16)).toBe(true);
  });
});

describe('DcerpcView.wrap', () => {
  it('reads the header fields in the byte order drep gives', () => {
    expect(v.wrap(BIND_LE, 0, BIND_LE.length)).toBe(Status.Ok);
    expect([v.le, v.ptype, v.flags, v.fragLength, v.authLength, v.callId]).toEqual([true, PType.BIND, 3, 72, 0, 1]);
    expect(v.wrap(BIND_BE, 0, BIND_BE.length)).toBe(Status.Ok);
    expect([v.le, v.ptype, v.flags, v.fragLength, v.authLength, v.callId]).toEqual([false, PType.BIND, 3, 72, 0, 1]);
  });

  it('calls a short header or a PDU running past the bytes truncated', () => {
    expect(v.wrap(BIND_LE, 0, 15)).toBe(Status.Truncated);
    expect(v.wrap(BIND_LE, 0, 71)).toBe(Status.Truncated);
    expect(v.wrap(BIND_LE, 0, 72)).toBe(Status.Ok);
  });

  it('calls a wrong version or a frag_length below the header malformed', () => {
    const b = BIND_LE.slice();
    b[0] = 4;
    expect(v.wrap(b, 0, b.length)).toBe(Status.Malformed);
    const c = BIND_LE.slice();
    c[8] = 8;
    expect(v.wrap(c, 0, c.length)).toBe(Status.Malformed);
  });

  it('works at an offset inside a larger buffer (several PDUs in one segment)', () => {
    const two = concat(BIND_LE, BIND_ACK_LE);
    expect(v.wrap(two, 72, two.length)).toBe(Status.Ok);
    expect(v.start).toBe(72);
    expect(v.ptype).toBe(PType.BIND_ACK);
    expect(v.bodyEnd).toBe(two.length);
  });

  it('reads request fields, with and without an object UUID', () => {
    const stub = Uint8Array.of(1, 2, 3, 4);
    const plain = dcerpcRequest({ callId: 9, contextId: 2, opnum: 3, stub });
    expect(v.wrap(plain, 0, plain.length)).toBe(Status.Ok);
    expect([v.ptype, v.callId, v.reqContextId, v.reqOpnum, v.reqStubOff, v.bodyEnd]).toEqual([PType.REQUEST, 9, 2, 3, 24, 28]);
    const obj = dcerpcRequest({ callId: 9, contextId: 2, opnum: 4, stub, object: '11111111-2222-3333-4444-555555555555' });
    expect(v.wrap(obj, 0, obj.length)).toBe(Status.Ok);
    expect(v.flags & PfcFlag.OBJECT_UUID).not.toBe(0);
    expect(v.reqStubOff).toBe(40);
    expect([...obj.subarray(v.reqStubOff, v.bodyEnd)]).toEqual([1, 2, 3, 4]);
    const be = dcerpcRequest({ callId: 0x01020304, contextId: 0x0102, opnum: 0x0304, stub, bigEndian: true });
    expect(v.wrap(be, 0, be.length)).toBe(Status.Ok);
    expect([v.callId, v.reqContextId, v.reqOpnum]).toEqual([0x01020304, 0x0102, 0x0304]);
  });

  it('reads a response and a fault', () => {
    const r = dcerpcResponse({ callId: 5, contextId: 1, stub: Uint8Array.of(9, 9) });
    expect(v.wrap(r, 0, r.length)).toBe(Status.Ok);
    expect([v.ptype, v.respContextId, v.respStubOff, v.bodyEnd]).toEqual([PType.RESPONSE, 1, 24, 26]);
    expect(v.wrap(FAULT_LE, 0, FAULT_LE.length)).toBe(Status.Ok);
    expect([v.ptype, v.callId, v.respContextId, v.faultStatus]).toEqual([PType.FAULT, 7, 1, 0x1c010003]);
    const f = dcerpcFault({ callId: 3, status: 5, bigEndian: true });
    expect(v.wrap(f, 0, f.length)).toBe(Status.Ok);
    expect(v.faultStatus).toBe(5);
  });

  it('ends the body before the auth verifier, its sec_trailer and the padding the trailer names', () => {
    // Response with a 6-byte stub padded by 2 to 4-byte alignment, sec_trailer, 16-byte verifier.
    const pdu = hex`
      05 00 02 03  10 00 00 00  38 00 10 00  05 00 00 00                 # header: response, frag_length 56, auth_length 16, call_id 5
      06 00 00 00  00 00 00 00                                            # alloc_hint 6, p_cont_id 0, cancel_count 0
      aa bb cc dd ee ff  00 00                                            # stub (6) + auth padding (2)
      0a 06 02 00  00 00 00 00                                            # sec_trailer: NTLM, privacy, pad_length 2, ctx 0
      ${'11 '.repeat(16)}                                                 # auth verifier`;
    expect(v.wrap(pdu, 0, pdu.length)).toBe(Status.Ok);
    expect(v.bodyEnd).toBe(30);
    // An auth_length that cannot fit falls back to frag_length.
    const bad = pdu.slice();
    bad[10] = 0x40;
    expect(v.wrap(bad, 0, bad.length)).toBe(Status.Ok);
    expect(v.bodyEnd).toBe(56);
    // A pad_length larger than the body stops at the header, never before it.
    const pad = pdu.slice();
    pad[34] = 200;
    expect(v.wrap(pad, 0, pad.length)).toBe(Status.Ok);
    expect(v.bodyEnd).toBe(CO_HDR);
  });
});

describe('uuidText', () => {
  it('prints the first three fields in the given order and the rest as bytes', () => {
    expect(uuidText(BIND_LE, 32, true)).toBe('e1af8308-5d1f-11c9-91a4-08002b14a0fa');
    expect(uuidText(BIND_BE, 32, false)).toBe('e1af8308-5d1f-11c9-91a4-08002b14a0fa');
    expect(uuidText(new Uint8Array(16), 0, true)).toBe('00000000-0000-0000-0000-000000000000');
  });
});

describe('bindContexts', () => {
  it('reads the interface, version and transfer syntax of each context', () => {
    for (const b of [BIND_LE, BIND_BE]) {
      expect(v.wrap(b, 0, b.length)).toBe(Status.Ok);
      expect(bindContexts(v, b)).toEqual([{ contextId: 0, uuid: EPM_V3.uuid, versionMajor: 3, versionMinor: 0, transferSyntaxes: [NDR_UUID] }]);
    }
  });

  it('reads several contexts with several transfer syntaxes, and minor versions', () => {
    for (const bigEndian of [false, true]) {
      const b = dcerpcBind({
        callId: 2, bigEndian, contexts: [
          { id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2] },
          { id: 1, abstract: { uuid: DRSUAPI_V4.uuid, major: 4, minor: 2 }, transfer: [NDR64] },
          { id: 2, abstract: DRSUAPI_V4, transfer: [NDR_V2, NDR64, { uuid: '6cb71c2c-9812-4540-0300-000000000000', major: 1, minor: 0 }] },
        ],
      });
      expect(v.wrap(b, 0, b.length)).toBe(Status.Ok);
      const ctx = bindContexts(v, b);
      expect(ctx.map((c) => [c.contextId, c.uuid, c.versionMajor, c.versionMinor, c.transferSyntaxes.length])).toEqual([
        [0, DRSUAPI_V4.uuid, 4, 0, 1],
        [1, DRSUAPI_V4.uuid, 4, 2, 1],
        [2, DRSUAPI_V4.uuid, 4, 0, 3],
      ]);
      expect(ctx[2]!.transferSyntaxes).toEqual([NDR_UUID, NDR64_UUID, '6cb71c2c-9812-4540-0300-000000000000']);
    }
  });

  it('stops at the first context that does not fit', () => {
    const b = dcerpcBind({ callId: 2, contexts: [{ id: 0, abstract: EPM_V3, transfer: [NDR_V2] }, { id: 1, abstract: DRSUAPI_V4, transfer: [NDR_V2] }] });
    // Claim a shorter PDU: the second context's abstract syntax runs past frag_length.
    const cut = b.slice(0, b.length - 30);
    cut[8] = cut.length;
    expect(v.wrap(cut, 0, cut.length)).toBe(Status.Ok);
    expect(bindContexts(v, cut).map((c) => c.contextId)).toEqual([0]);
    // Only its transfer list is cut: the interface is still known, with the syntaxes that fit (none).
    const tail = b.slice(0, b.length - 10);
    tail[8] = tail.length;
    expect(v.wrap(tail, 0, tail.length)).toBe(Status.Ok);
    expect(bindContexts(v, tail).map((c) => [c.contextId, c.uuid, c.transferSyntaxes])).toEqual([[0, EPM_V3.uuid, [NDR_UUID]], [1, DRSUAPI_V4.uuid, []]]);
    // n_context_elem says 255 but the PDU holds one.
    const many = BIND_LE.slice();
    many[24] = 255;
    expect(v.wrap(many, 0, many.length)).toBe(Status.Ok);
    expect(bindContexts(v, many)).toHaveLength(1);
    // No room even for the list header.
    const empty = hex`05 00 0b 03 10 00 00 00 18 00 00 00 01 00 00 00  b8 10 b8 10 00 00 00 00`;
    expect(v.wrap(empty, 0, empty.length)).toBe(Status.Ok);
    expect(bindContexts(v, empty)).toEqual([]);
  });
});

describe('bindAck', () => {
  it('reads the secondary address and the accepted transfer syntax', () => {
    expect(v.wrap(BIND_ACK_LE, 0, BIND_ACK_LE.length)).toBe(Status.Ok);
    expect(bindAck(v, BIND_ACK_LE)).toEqual({ secondaryAddress: '49667', results: [{ result: 0, reason: 0, transferSyntax: NDR_UUID }] });
  });

  it('aligns the result list relative to the PDU start, whatever the address length', () => {
    for (const bigEndian of [false, true]) {
      for (const addr of ['', '1', '13', '135', '1352', '49667', '496670', '\\PIPE\\lsass', '\\pipe\\ntsvcs']) {
        const b = concat(Uint8Array.of(0xee, 0xee, 0xee), dcerpcBindAck({
          callId: 4, bigEndian, secondaryAddress: addr,
          results: [{ result: 0, transfer: NDR64 }, { result: 2, reason: 2 }, { result: 3, reason: 3 }],
        }));
        expect(v.wrap(b, 3, b.length)).toBe(Status.Ok);
        const ack = bindAck(v, b);
        expect(ack.secondaryAddress, addr).toBe(addr);
        expect(ack.results.map((r) => [r.result, r.reason, r.transferSyntax]), addr).toEqual([
          [0, 0, NDR64_UUID],
          [2, 2, '00000000-0000-0000-0000-000000000000'],
          [3, 3, '00000000-0000-0000-0000-000000000000'],
        ]);
      }
    }
  });

  it('keeps what fits when the PDU is short', () => {
    const b = BIND_ACK_LE.slice(0, 40);
    b[8] = 40;
    expect(v.wrap(b, 0, b.length)).toBe(Status.Ok);
    expect(bindAck(v, b)).toEqual({ secondaryAddress: '49667', results: [] });
    // Address length past the PDU: nothing read.
    const c = BIND_ACK_LE.slice();
    c[24] = 0xff;
    expect(v.wrap(c, 0, c.length)).toBe(Status.Ok);
    expect(bindAck(v, c)).toEqual({ secondaryAddress: '', results: [] });
  });
});

// ---------------------------------------------------------------------------------------------
// Property and fuzz: a parser's result depends only on the bytes it was given, and it never throws.

/** `data` inside a larger buffer at offset 5, surrounded by `fill`. */
function embed(data: Uint8Array, fill: number): Uint8Array {
  const b = new Uint8Array(data.length + 5 + 300).fill(fill);
  b.set(data, 5);
  return b;
}

/** Everything the dcerpc decoders say about `b[off, end)`. */
function decodeAll(b: Uint8Array, off: number, end: number): unknown {
  const like = looksLikeCoPdu(b, off, end);
  const st = v.wrap(b, off, end);
  if (st !== Status.Ok) return { like, st };
  const head = { like, st, le: v.le, ptype: v.ptype, flags: v.flags, fl: v.fragLength, al: v.authLength, call: v.callId, body: v.bodyEnd };
  // Typed getters are only meaningful for the PDU type that has them; a PDU shorter than its
  // fixed fields is the caller's problem (rpc-conversation checks bodyEnd against the stub offset).
  return { head, ctx: bindContexts(v, b), ack: bindAck(v, b) };
}

describe('dcerpc decoders under random and mutated input', () => {
  const valid = [
    BIND_LE, BIND_BE, BIND_ACK_LE, FAULT_LE,
    dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: DRSUAPI_V4, transfer: [NDR_V2, NDR64] }, { id: 1, abstract: EPM_V3, transfer: [NDR64] }] }),
    dcerpcBindAck({ callId: 1, secondaryAddress: '49667', results: [{ result: 0, transfer: NDR_V2 }, { result: 2, reason: 1 }], bigEndian: true }),
  ];

  it('never throws and reads nothing outside [off, end)', () => {
    const rng = new Rng(0xdce);
    for (let run = 0; run < 4000; run++) {
      let data: Uint8Array;
      if (run % 4 === 0) {
        data = rng.bytes(rng.int(120));
        if (data.length > 0) data[0] = 5; // reach past the version check more often
      } else {
        data = rng.pick(valid).slice();
        const flips = 1 + rng.int(6);
        for (let i = 0; i < flips; i++) data[rng.int(data.length)] = rng.u32() & 0xff;
        if (run % 3 === 0) data = data.slice(0, rng.int(data.length + 1));
        if (run % 5 === 0 && data.length >= 10) { data[8] = rng.u32() & 0xff; data[9] = rng.int(3); } // random frag_length
      }
      const a = embed(data, 0x00);
      const b = embed(data, 0xff);
      const ra = decodeAll(a, 5, 5 + data.length);
      const rb = decodeAll(b, 5, 5 + data.length);
      expect(rb, `run ${run}`).toEqual(ra);
    }
  });
});
