import { describe, expect, it } from 'vitest';
import { TlsRecordView, tlsAlertName, tlsAlerts, startsWithTlsHandshake } from '../../../src/wire/tls.js';
import { Status } from '../../../src/wire/status.js';
import { concat, hex } from '../../helpers/frame.js';
import { tlsAlert, tlsClientHello, tlsServerFlight } from '../../../samples/gen/apps.js';

describe('TLS records and alerts (RFC 5246 §6.2.1, §7.2)', () => {
  it('reads a plaintext alert after other records in the same segment', () => {
    const seg = concat(tlsServerFlight(1), tlsAlert(2, 48));
    expect(tlsAlerts(seg, 0, seg.length)).toEqual([{ offset: seg.length - 7, level: 2, description: 48, encrypted: false }]);
    expect(tlsAlertName(48)).toBe('unknown_ca');
    expect(tlsAlertName(201)).toBe('alert 201');
  });
  it('calls an alert longer than two bytes encrypted, and skips one cut by the capture', () => {
    expect(tlsAlerts(hex`15 03 03 00 1a ${'00 '.repeat(26)}`, 0, 31)).toEqual([{ offset: 0, level: 0, description: -1, encrypted: true }]);
    expect(tlsAlerts(hex`15 03 03 00 02 02`, 0, 6)).toEqual([]);
  });
  it('looks for records only where a segment starts with one', () => {
    const r = new TlsRecordView();
    expect(r.wrap(hex`16 03 01 00 10`, 0, 5)).toBe(Status.Ok);
    expect([r.contentType, r.version, r.length, r.bodyOff, r.bodyEnd]).toEqual([22, 0x0301, 16, 5, 21]);
    expect(r.wrap(hex`17 02 00 00 10`, 0, 5)).toBe(Status.Malformed);
    expect(r.wrap(hex`15 03 03 00 00`, 0, 5)).toBe(Status.Malformed);
    expect(r.wrap(hex`15 03 03`, 0, 3)).toBe(Status.Truncated);
    expect(tlsAlerts(hex`00 15 03 03 00 02 02 30`, 0, 8)).toEqual([]);
    const hello = tlsClientHello(3);
    expect(startsWithTlsHandshake(hello, 0, hello.length)).toBe(true);
  });
});
