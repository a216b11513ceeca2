import { describe, expect, it } from 'vitest';
import { KrbMsgType, krbErrorName, parseKrb } from '../../../src/wire/kerberos.js';
import { Tlv, berGeneralizedTime, berInteger } from '../../../src/wire/ber.js';
import { hex } from '../../helpers/frame.js';
import { krbAsRep, krbAsReq, krbError, krbPreauthRequired, krbTgsRep, krbTgsReq } from '../../../samples/gen/apps.js';

const names = { realm: 'CORP.EXAMPLE', user: 'WS50$' };

describe('BER (X.690 §8.1)', () => {
  it('reads short and long definite lengths and refuses the rest', () => {
    const t = new Tlv();
    expect(t.read(hex`30 03 02 01 05`, 0, 5)).toBe(true);
    expect([t.tag, t.start, t.end]).toEqual([0x30, 2, 5]);
    expect(t.read(hex`04 82 00 02 61 62`, 0, 6)).toBe(true);
    expect([t.start, t.end]).toEqual([4, 6]);
    expect(t.read(hex`30 80 00 00`, 0, 4)).toBe(false); // indefinite
    expect(t.read(hex`1f 81 00`, 0, 3)).toBe(false); // high tag number
    expect(t.read(hex`30 85 00 00 00 00 01 00`, 0, 8)).toBe(false); // five length octets
    expect(t.read(hex`30 05 02 01`, 0, 4)).toBe(false); // content past the end
  });
  it('reads integers in two\'s complement and KerberosTime', () => {
    expect(berInteger(hex`00 ff ff ff ff`, 0, 5)).toBe(0xffffffff);
    expect(berInteger(hex`ff`, 0, 1)).toBe(-1);
    expect(berInteger(hex`25`, 0, 1)).toBe(37);
    expect(berInteger(hex``, 0, 0)).toBeNull();
    const z = new TextEncoder().encode('20240312092231Z');
    expect(berGeneralizedTime(z, 0, z.length)).toBe(Date.UTC(2024, 2, 12, 9, 22, 31) / 1000);
    const bad = new TextEncoder().encode('20241312092231Z');
    expect(berGeneralizedTime(bad, 0, bad.length)).toBeNull();
  });
});

describe('Kerberos KDC messages (RFC 4120 §5.4, §5.9.1)', () => {
  it('reads requests: type, client, realm, service, nonce', () => {
    const as = krbAsReq(names, 0x2a9f13c7, true, 1);
    expect(parseKrb(as, 0, as.length)).toMatchObject({ type: KrbMsgType.AS_REQ, cname: 'WS50$', realm: 'CORP.EXAMPLE', sname: 'krbtgt/CORP.EXAMPLE', nonce: 0x2a9f13c7 });
    const tgs = krbTgsReq(names, ['MSOMHSvc', 'scom01.corp.example'], 0xfffffffe, 2);
    expect(parseKrb(tgs, 0, tgs.length)).toMatchObject({ type: KrbMsgType.TGS_REQ, cname: null, sname: 'MSOMHSvc/scom01.corp.example', nonce: 0xfffffffe });
  });
  it('reads replies: the client and the ticket\'s service', () => {
    const rep = krbTgsRep(names, ['MSOMHSvc', 'scom01.corp.example'], 3);
    expect(parseKrb(rep, 0, rep.length)).toMatchObject({ type: KrbMsgType.TGS_REP, realm: 'CORP.EXAMPLE', cname: 'WS50$', sname: 'MSOMHSvc/scom01.corp.example' });
    const as = krbAsRep(names, 4);
    expect(parseKrb(as, 0, as.length)).toMatchObject({ type: KrbMsgType.AS_REP, sname: 'krbtgt/CORP.EXAMPLE' });
  });
  it('reads KRB-ERROR: code, server and client time with microseconds, realm, service, client', () => {
    const e = krbError({ code: 37, realm: 'CORP.EXAMPLE', sname: ['MSOMHSvc', 'scom01'], stime: '20240312092231Z', susec: 500000, ctime: '20240312091500Z', cusec: 250000, cname: ['WS50$'], crealm: 'CORP.EXAMPLE', etext: 'skew' });
    expect(parseKrb(e, 0, e.length)).toEqual({
      type: 30, realm: 'CORP.EXAMPLE', cname: 'WS50$', crealm: 'CORP.EXAMPLE', sname: 'MSOMHSvc/scom01', nonce: null, errorCode: 37,
      stime: Date.UTC(2024, 2, 12, 9, 22, 31) / 1000 + 0.5, ctime: Date.UTC(2024, 2, 12, 9, 15, 0) / 1000 + 0.25, etext: 'skew',
    });
    const p = krbPreauthRequired(names);
    expect(parseKrb(p, 0, p.length)).toMatchObject({ errorCode: 25, ctime: null });
    expect([krbErrorName(52), krbErrorName(7), krbErrorName(999)]).toEqual(['KRB_ERR_RESPONSE_TOO_BIG', 'KDC_ERR_S_PRINCIPAL_UNKNOWN', 'error 999']);
  });
  it('is null for what is not a KDC message, and for a message cut anywhere', () => {
    expect(parseKrb(hex`6e 03 30 01 00`, 0, 5)).toBeNull(); // AP-REQ: not a KDC message
    expect(parseKrb(hex`30 03 02 01 05`, 0, 5)).toBeNull();
    const e = krbError({ code: 7, realm: 'R', sname: ['a', 'b'], stime: '20240312092231Z', susec: 1 });
    for (let cut = 0; cut < e.length; cut++) expect(parseKrb(e, 0, cut), `cut at ${cut}`).toBeNull();
  });
});
