import { describe, expect, it } from 'vitest';
import {
  EPT_S_NOT_REGISTERED, parseEptLookupResponse, parseEptMapRequest, parseEptMapResponse, parseTower, type Tower,
} from '../../../src/wire/epm.js';
import { concat, hex } from '../../helpers/frame.js';
import { Rng } from '../../helpers/random.js';
import { DRSUAPI_V4, EPM_V3, eptMapRequestStub, eptMapResponseStub } from '../../../samples/gen/frames.js';
import { eptLookupResponse, eptMapRequest, eptMapResponse, npTower, tcpTower, tcpTowerAt, towerOf, uuidFloor } from '../../helpers/rpc.js';

const NETLOGON = { uuid: '12345678-1234-abcd-ef00-01234567cffb', major: 1, minor: 0 };

/** ncacn_ip_tcp tower for DRSUAPI v4.0 at 10.0.0.5:49740. */
const DRS_TOWER = hex`
  05 00                                                                  # floor count 5
  13 00  0d 35 42 51 e3 06 4b d1 11 ab 04 00 c0 4f c2 dc d2  04 00       # floor 1 lhs (19): UUID e3514235-4b06-11d1-ab04-00c04fc2dcd2, major 4 (LE)
  02 00  00 00                                                           # floor 1 rhs: minor 0
  13 00  0d 04 5d 88 8a eb 1c c9 11 9f e8 08 00 2b 10 48 60  02 00       # floor 2 lhs: NDR 2.0
  02 00  00 00                                                           # floor 2 rhs
  01 00  0b  02 00  00 00                                                # floor 3: RPC connection-oriented
  01 00  07  02 00  c2 4c                                                # floor 4: TCP, port 49740 big-endian
  01 00  09  04 00  0a 00 00 05                                          # floor 5: IP 10.0.0.5`;

const drs = (port: number, ip: string | null): Tower => ({
  interfaceUuid: DRSUAPI_V4.uuid, versionMajor: 4, versionMinor: 0, protocol: 'ncacn_ip_tcp', port, ip, endpoint: null,
});

describe('parseTower', () => {
  it('reads interface, version, TCP port (big-endian) and IP address', () => {
    expect(parseTower(DRS_TOWER, 0, DRS_TOWER.length)).toEqual(drs(49740, '10.0.0.5'));
  });

  it('works at an offset and ignores bytes after the given length', () => {
    const b = concat(hex`ff ff ff`, DRS_TOWER, hex`01 02 03`);
    expect(parseTower(b, 3, DRS_TOWER.length)).toEqual(drs(49740, '10.0.0.5'));
  });

  it('reads the port big-endian for every port, the ones whose bytes look the same LE included', () => {
    for (const port of [1, 135, 256, 0x0101, 0x1234, 49152, 49740, 65535]) {
      const t = tcpTower(DRSUAPI_V4, port, '192.168.1.20');
      expect(parseTower(t, 0, t.length)?.port).toBe(port);
    }
  });

  it('walks floors by their lengths: a longer left side or RPC_CO right side does not shift later floors', () => {
    const t = towerOf([
      uuidFloor({ uuid: DRSUAPI_V4.uuid, major: 4, minor: 1 }),
      uuidFloor({ uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', major: 2, minor: 0 }),
      [[0x0b, 0xaa, 0xbb], [0, 0, 0, 0]],    // RPC_CO with a 3-byte left side and 4-byte right side
      [[0x07], [0xc2, 0x4c]],
      [[0x09, 0x00], [10, 0, 0, 7]],         // IP with an extra byte on the left side
    ]);
    expect(parseTower(t, 0, t.length)).toEqual({ ...drs(49740, '10.0.0.7'), versionMinor: 1 });
  });

  it('rejects a tower whose port or address floor is not 2 or 4 octets: no port is read from it (C706 Appendix I)', () => {
    const longPort = towerOf([uuidFloor(DRSUAPI_V4), uuidFloor(DRSUAPI_V4), [[0x0b], [0, 0]], [[0x07], [0xc2, 0x4c, 0x99]], [[0x09], [10, 0, 0, 7]]]);
    expect(parseTower(longPort, 0, longPort.length)).toBeNull();
    const shortPort = towerOf([uuidFloor(DRSUAPI_V4), [[0x0b], [0, 0]], [[0x07], [0x01]], [[0x09], [1, 2, 3, 4]]]);
    expect(parseTower(shortPort, 0, shortPort.length)).toBeNull();
    const longIp = towerOf([uuidFloor(DRSUAPI_V4), [[0x0b], [0, 0]], [[0x07], [0xc2, 0x4c]], [[0x09], [10, 0, 0, 7, 0, 0]]]);
    expect(parseTower(longIp, 0, longIp.length)).toBeNull();
  });

  it('keeps the port when the tower has no IP floor; port 0 is no port', () => {
    const noIp = towerOf([uuidFloor(DRSUAPI_V4), uuidFloor(DRSUAPI_V4), [[0x0b], [0, 0]], [[0x07], [0x00, 0x87]]]);
    expect(parseTower(noIp, 0, noIp.length)).toEqual(drs(135, null));
    const zero = towerOf([uuidFloor(DRSUAPI_V4), [[0x0b], [0, 0]], [[0x07], [0, 0]], [[0x09], [1, 2, 3, 4]]]);
    expect(parseTower(zero, 0, zero.length)).toMatchObject({ protocol: 'ncacn_ip_tcp', port: null, ip: '1.2.3.4' });
  });

  it('names the protocol from the floors: named pipes, UDP, HTTP, LRPC, unknown', () => {
    const np = npTower(NETLOGON, '\\PIPE\\netlogon', '\\\\DC01');
    expect(parseTower(np, 0, np.length)).toEqual({
      interfaceUuid: NETLOGON.uuid, versionMajor: 1, versionMinor: 0, protocol: 'ncacn_np', port: null, ip: null, endpoint: '\\PIPE\\netlogon',
    });
    const udp = towerOf([uuidFloor(NETLOGON), [[0x0a], [0, 0]], [[0x08], [0x04, 0x01]], [[0x09], [10, 0, 0, 1]]]);
    expect(parseTower(udp, 0, udp.length)).toMatchObject({ protocol: 'ncadg_ip_udp', port: 1025, ip: '10.0.0.1' });
    const http = towerOf([uuidFloor(NETLOGON), [[0x0b], [0, 0]], [[0x1f], [0x17, 0x6f]], [[0x09], [10, 0, 0, 1]]]);
    expect(parseTower(http, 0, http.length)).toMatchObject({ protocol: 'ncacn_http', port: 5999 });
    const lrpc = towerOf([uuidFloor(NETLOGON), [[0x0b], [0, 0]], [[0x10], [...new TextEncoder().encode('LRPC-abc'), 0]]]);
    expect(parseTower(lrpc, 0, lrpc.length)).toMatchObject({ protocol: 'ncalrpc', endpoint: 'LRPC-abc', port: null });
    // A TCP floor without an RPC_CO floor is not ncacn_ip_tcp.
    const odd = towerOf([uuidFloor(NETLOGON), [[0x07], [0x01, 0x00]]]);
    expect(parseTower(odd, 0, odd.length)).toMatchObject({ protocol: 'other', port: 256 });
  });

  it('returns null for malformed towers', () => {
    const cases: [string, Uint8Array, number?][] = [
      ['empty', new Uint8Array(0)],
      ['one byte', hex`05`],
      ['floor count 0', hex`00 00`],
      ['floor count 17', concat(hex`11 00`, DRS_TOWER.subarray(2))],
      ['more floors claimed than present', concat(hex`06 00`, DRS_TOWER.subarray(2))],
      ['cut inside the last floor', DRS_TOWER, DRS_TOWER.length - 1],
      ['cut between floors', DRS_TOWER, DRS_TOWER.length - 9],
      ['first floor is not a UUID floor', towerOf([[[0x07], [0, 135]], uuidFloor(DRSUAPI_V4)])],
      ['UUID floor shorter than 19 bytes', towerOf([[[0x0d, 1, 2, 3], [0, 0]]])],
      ['zero-length left side', towerOf([uuidFloor(DRSUAPI_V4), [[], [0, 0]]])],
      ['right side runs past the end', concat(towerOf([uuidFloor(DRSUAPI_V4)]).subarray(0, 23), hex`09 00 00`)],
      ['left side length 0xffff', concat(hex`01 00 ff ff 0d`, new Uint8Array(30))],
    ];
    for (const [name, b, len] of cases) expect(parseTower(b, 0, len ?? b.length), name).toBeNull();
  });
});

describe('parseEptMapRequest', () => {
  it('reads the interface asked for, in little- and big-endian NDR (frames.ts stubs)', () => {
    for (const bigEndian of [false, true]) {
      const s = eptMapRequestStub({ iface: DRSUAPI_V4, maxTowers: 7, bigEndian });
      const r = parseEptMapRequest(s, 0, s.length, !bigEndian);
      expect(r?.tower).toEqual({ ...drs(135, '0.0.0.0') });
      expect(r?.maxTowers).toBe(7);
    }
  });

  it('reads NDR64 stubs (8-byte pointers and conformance)', () => {
    for (const le of [true, false]) {
      const s = eptMapRequest(tcpTower(NETLOGON, 135), { le, ndr64: true, maxTowers: 3 });
      expect(parseEptMapRequest(s, 0, s.length, le, true)).toEqual({ tower: { interfaceUuid: NETLOGON.uuid, versionMajor: 1, versionMinor: 0, protocol: 'ncacn_ip_tcp', port: 135, ip: '0.0.0.0', endpoint: null }, maxTowers: 3 });
      // Read as NDR the same bytes give something else, never a throw.
      expect(() => parseEptMapRequest(s, 0, s.length, le, false)).not.toThrow();
    }
  });

  it('handles a null object pointer and a null map tower', () => {
    const noObj = eptMapRequest(tcpTower(NETLOGON, 135), { object: null });
    expect(parseEptMapRequest(noObj, 0, noObj.length, true)?.tower?.interfaceUuid).toBe(NETLOGON.uuid);
    const noTower = eptMapRequest(null);
    expect(parseEptMapRequest(noTower, 0, noTower.length, true)).toEqual({ tower: null, maxTowers: 4 });
  });

  it('returns null when the tower does not fit, and max_towers 0 when only it is missing', () => {
    const s = eptMapRequestStub({ iface: DRSUAPI_V4 });
    expect(parseEptMapRequest(s, 0, 30, true)).toBeNull();
    expect(parseEptMapRequest(s, 0, s.length - 4, true)).toEqual({ tower: drs(135, '0.0.0.0'), maxTowers: 0 });
    expect(parseEptMapRequest(s, 0, 0, true)).toBeNull();
  });
});

describe('parseEptMapResponse', () => {
  const towers = [
    { iface: DRSUAPI_V4, port: 49667, ip: '10.0.0.5' },
    { iface: DRSUAPI_V4, port: 49668, ip: '0.0.0.0' },
    { iface: DRSUAPI_V4, port: 135, ip: '192.168.0.1' },
  ];

  it('reads every tower of a little- and big-endian NDR answer (frames.ts stubs)', () => {
    for (const bigEndian of [false, true]) {
      const s = eptMapResponseStub({ towers, bigEndian });
      expect(parseEptMapResponse(s, 0, s.length, !bigEndian)).toEqual({
        status: 0, towers: [drs(49667, '10.0.0.5'), drs(49668, '0.0.0.0'), drs(135, '192.168.0.1')], malformed: 0, trailing: 0,
      });
    }
  });

  it('reads NDR64 answers in both byte orders', () => {
    for (const le of [true, false]) {
      const s = eptMapResponse(towers.map((t) => tcpTowerAt(t.iface, t.port, t.ip)), { le, ndr64: true });
      expect(parseEptMapResponse(s, 0, s.length, le, true)).toEqual({
        status: 0, towers: [drs(49667, '10.0.0.5'), drs(49668, '0.0.0.0'), drs(135, '192.168.0.1')], malformed: 0, trailing: 0,
      });
    }
  });

  it('reports EPT_S_NOT_REGISTERED with no towers', () => {
    for (const [le, ndr64] of [[true, false], [false, false], [true, true]] as const) {
      const s = eptMapResponse([], { le, ndr64, status: EPT_S_NOT_REGISTERED });
      expect(parseEptMapResponse(s, 0, s.length, le, ndr64)).toEqual({ status: EPT_S_NOT_REGISTERED, towers: [], malformed: 0, trailing: 0 });
    }
    const fromGen = eptMapResponseStub({ towers: [], status: EPT_S_NOT_REGISTERED });
    expect(parseEptMapResponse(fromGen, 0, fromGen.length, true)).toEqual({ status: 0x16c9a0d6, towers: [], malformed: 0, trailing: 0 });
  });

  it('skips null tower pointers and towers that are not well formed, keeping the rest', () => {
    for (const ndr64 of [false, true]) {
      const s = eptMapResponse([null, tcpTower(DRSUAPI_V4, 49700, '10.0.0.5'), hex`00 00 01 02 03`, npTower(NETLOGON, '\\PIPE\\x', 'H')], { ndr64 });
      const r = parseEptMapResponse(s, 0, s.length, true, ndr64);
      expect(r?.status).toBe(0);
      expect(r?.towers.map((t) => [t.protocol, t.port, t.endpoint])).toEqual([['ncacn_ip_tcp', 49700, null], ['ncacn_np', null, '\\PIPE\\x']]);
    }
  });

  it('returns null for a stub cut anywhere before the status', () => {
    const s = eptMapResponseStub({ towers });
    for (let end = 0; end < s.length; end++) expect(parseEptMapResponse(s, 0, end, true), `cut at ${end}`).toBeNull();
  });

  it('refuses an absurd actual_count instead of looping over it', () => {
    const s = eptMapResponseStub({ towers });
    new DataView(s.buffer).setUint32(32, 0x7fffffff, true); // actual_count
    expect(parseEptMapResponse(s, 0, s.length, true)).toBeNull();
  });
});

describe('parseEptLookupResponse', () => {
  const entries = [
    { tower: tcpTowerAt(DRSUAPI_V4, 49667, '10.0.0.5'), annotation: 'MS NT Directory DRS Interface' },
    { tower: null, annotation: 'no tower here' },
    { object: '11111111-2222-3333-4444-555555555555', tower: npTower(NETLOGON, '\\pipe\\lsass', '\\\\DC01'), annotation: '' },
    { tower: tcpTowerAt(NETLOGON, 49668, '0.0.0.0'), annotation: 'Netlogon' },
  ];

  it('reads towers past annotations of every length and null tower pointers, in NDR and NDR64, both byte orders', () => {
    for (const le of [true, false]) {
      for (const ndr64 of [false, true]) {
        const s = eptLookupResponse(entries, { le, ndr64 });
        const r = parseEptLookupResponse(s, 0, s.length, le, ndr64);
        expect(r?.status, `le ${le} ndr64 ${ndr64}`).toBe(0);
        expect(r?.towers.map((t) => [t.interfaceUuid, t.protocol, t.port, t.ip, t.endpoint])).toEqual([
          [DRSUAPI_V4.uuid, 'ncacn_ip_tcp', 49667, '10.0.0.5', null],
          [NETLOGON.uuid, 'ncacn_np', null, null, '\\pipe\\lsass'],
          [NETLOGON.uuid, 'ncacn_ip_tcp', 49668, '0.0.0.0', null],
        ]);
      }
    }
  });

  it('keeps alignment whatever the annotation length', () => {
    for (let n = 0; n <= 9; n++) {
      const s = eptLookupResponse([{ tower: null, annotation: 'x'.repeat(n) }, { tower: tcpTower(EPM_V3, 135), annotation: 'y'.repeat(9 - n) }]);
      expect(parseEptLookupResponse(s, 0, s.length, true)?.towers.map((t) => t.port), `annotation ${n}`).toEqual([135]);
    }
  });

  it('reports the end of the database (EPT_S_NOT_REGISTERED, no entries)', () => {
    const s = eptLookupResponse([], { status: EPT_S_NOT_REGISTERED });
    expect(parseEptLookupResponse(s, 0, s.length, true)).toEqual({ status: EPT_S_NOT_REGISTERED, towers: [], malformed: 0, trailing: 0 });
  });

  it('returns null for a stub cut anywhere before the status', () => {
    const s = eptLookupResponse(entries);
    for (let end = 0; end < s.length; end++) expect(parseEptLookupResponse(s, 0, end, true), `cut at ${end}`).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------
// Property and fuzz

function embed(data: Uint8Array, fill: number): Uint8Array {
  const b = new Uint8Array(data.length + 7 + 300).fill(fill);
  b.set(data, 7);
  return b;
}

describe('EPM decoders under random and mutated input', () => {
  const stubs: [string, Uint8Array, boolean, boolean][] = [
    ['map request', eptMapRequestStub({ iface: DRSUAPI_V4 }), true, false],
    ['map request BE', eptMapRequestStub({ iface: DRSUAPI_V4, bigEndian: true }), false, false],
    ['map request NDR64', eptMapRequest(tcpTower(NETLOGON, 135), { ndr64: true }), true, true],
    ['map response', eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '10.0.0.5' }, { iface: DRSUAPI_V4, port: 49668, ip: '0.0.0.0' }] }), true, false],
    ['map response BE', eptMapResponseStub({ towers: [{ iface: DRSUAPI_V4, port: 49667, ip: '10.0.0.5' }], bigEndian: true }), false, false],
    ['map response NDR64', eptMapResponse([tcpTower(DRSUAPI_V4, 49667), null], { ndr64: true }), true, true],
    ['lookup response', eptLookupResponse([{ tower: tcpTower(DRSUAPI_V4, 49667), annotation: 'abc' }, { tower: null, annotation: '' }]), true, false],
    ['lookup response NDR64', eptLookupResponse([{ tower: tcpTower(DRSUAPI_V4, 49667), annotation: 'abcdef' }], { ndr64: true }), true, true],
    ['tower', DRS_TOWER, true, false],
  ];

  const decode = (b: Uint8Array, s: number, e: number, le: boolean, ndr64: boolean): unknown => ({
    tower: parseTower(b, s, e - s),
    req: parseEptMapRequest(b, s, e, le, ndr64),
    map: parseEptMapResponse(b, s, e, le, ndr64),
    lookup: parseEptLookupResponse(b, s, e, le, ndr64),
  });

  it('never throws, and reads nothing outside the given range', () => {
    const rng = new Rng(0xe9a);
    for (let run = 0; run < 3000; run++) {
      const [, base, le0, ndr640] = rng.pick(stubs);
      let data: Uint8Array;
      if (run % 5 === 0) data = rng.bytes(rng.int(200));
      else {
        data = base.slice();
        const flips = 1 + rng.int(8);
        for (let i = 0; i < flips; i++) data[rng.int(data.length)] = rng.pick([0, 0xff, 1, rng.u32() & 0xff]);
        if (run % 3 === 0) data = data.slice(0, rng.int(data.length + 1));
      }
      const le = run % 7 === 0 ? !le0 : le0;
      const ndr64 = run % 11 === 0 ? !ndr640 : ndr640;
      const a = decode(embed(data, 0x00), 7, 7 + data.length, le, ndr64);
      const b = decode(embed(data, 0xff), 7, 7 + data.length, le, ndr64);
      expect(b, `run ${run}`).toEqual(a);
    }
  });

  it('a tower never reports more than what its floors say: ports are 16-bit, addresses dotted quads', () => {
    const rng = new Rng(0x70e7);
    for (let run = 0; run < 2000; run++) {
      const data = DRS_TOWER.slice();
      for (let i = 0; i < 3; i++) data[rng.int(data.length)] = rng.u32() & 0xff;
      const t = parseTower(data, 0, data.length);
      if (t === null) continue;
      if (t.port !== null) expect(t.port >= 0 && t.port <= 65535).toBe(true);
      if (t.ip !== null) expect(t.ip).toMatch(/^\d{1,3}(\.\d{1,3}){3}$/);
      expect(t.interfaceUuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    }
  });
});

describe('parseEptLookupRequest and plausibleEpmResponse', () => {
  it('reads the inquiry type, the interface asked for and whether the entry handle continues a listing', async () => {
    const { parseEptLookupRequest } = await import('../../../src/wire/epm.js');
    const { eptLookupRequestStub, EptInquiry } = await import('../../../samples/gen/frames.js');
    const all = eptLookupRequestStub({ maxEntries: 500 });
    expect(parseEptLookupRequest(all, 0, all.length, true)).toEqual({ inquiryType: EptInquiry.ALL_ELTS, interfaceUuid: null, continued: false, maxEntries: 500 });
    const byIf = eptLookupRequestStub({ iface: NETLOGON, maxEntries: 4, handle: Uint8Array.from({ length: 20 }, (_, i) => i) });
    expect(parseEptLookupRequest(byIf, 0, byIf.length, true)).toEqual({ inquiryType: EptInquiry.MATCH_BY_IF, interfaceUuid: NETLOGON.uuid, continued: true, maxEntries: 4 });
    expect(parseEptLookupRequest(byIf, 0, 30, true)).toBeNull();
  });

  it('calls an answer plausible only with an endpoint mapper status, well-formed towers and nothing after the status', async () => {
    const { plausibleEpmResponse } = await import('../../../src/wire/epm.js');
    expect(plausibleEpmResponse({ status: 0, towers: [], malformed: 0, trailing: 0 })).toBe(true);
    expect(plausibleEpmResponse({ status: EPT_S_NOT_REGISTERED, towers: [], malformed: 0, trailing: 0 })).toBe(true);
    expect(plausibleEpmResponse({ status: 0x80070005, towers: [], malformed: 0, trailing: 0 })).toBe(false);
    expect(plausibleEpmResponse({ status: 0, towers: [], malformed: 1, trailing: 0 })).toBe(false);
    expect(plausibleEpmResponse({ status: 0, towers: [], malformed: 0, trailing: 96 })).toBe(false);
  });
});
