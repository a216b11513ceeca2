import { describe, expect, it } from 'vitest';
import { LdapOp, parseLdapMessages } from '../../../src/wire/ldap.js';
import { hex } from '../../helpers/frame.js';
import { cldapPing, cldapPingResponse, ldapBindResponse } from '../../../samples/gen/apps.js';

describe('LDAP messages over UDP (CLDAP, RFC 4511 §4.1.1)', () => {
  it('reads the DC locator\'s ping: message id, searchRequest, the filter\'s equality items', () => {
    const q = cldapPing(7, 'corp.example', 'WS50');
    expect(parseLdapMessages(q, 0, q.length)).toEqual([{ messageId: 7, op: LdapOp.SEARCH_REQUEST, resultCode: null, filter: ['DnsDomain=corp.example', 'Host=WS50', 'NtVer=0x16000000'], attributes: [] }]);
  });
  it('reads the answer: an entry with the Netlogon attribute, then searchResDone, in one datagram', () => {
    const a = cldapPingResponse(7, { forest: 'corp.example', domain: 'corp.example', host: 'dc01.corp.example', netbiosDomain: 'CORP', netbiosHost: 'DC01', site: 'S' });
    expect(parseLdapMessages(a, 0, a.length).map((m) => [m.messageId, m.op, m.resultCode, m.attributes])).toEqual([[7, 4, null, ['netlogon']], [7, 5, 0, []]]);
  });
  it('reads result codes, a primitive unbind, and stops at the first malformed message', () => {
    const b = ldapBindResponse(2);
    expect(parseLdapMessages(b, 0, b.length)[0]).toMatchObject({ op: LdapOp.BIND_RESPONSE, resultCode: 0 });
    expect(parseLdapMessages(hex`30 05 02 01 03 42 00`, 0, 7)).toEqual([{ messageId: 3, op: 2, resultCode: null, filter: [], attributes: [] }]);
    expect(parseLdapMessages(hex`30 05 02 01 03 42 00 30 09 04`, 0, 10)).toHaveLength(1);
    expect(parseLdapMessages(hex`31 03 02 01 05`, 0, 5)).toEqual([]);
  });
});
