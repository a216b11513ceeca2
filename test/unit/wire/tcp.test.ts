import { describe, expect, it } from 'vitest';
import { TcpView, flagsText, type TcpOptions } from '../../../src/wire/tcp.js';
import { TcpFlag } from '../../../src/wire/constants.js';
import { Status } from '../../../src/wire/status.js';
import { hex } from '../../helpers/frame.js';

const t = new TcpView();
const opts: TcpOptions = { mss: 0, windowScale: 0, sackPermitted: false };

/** TCP header with data offset `doff` (words) and the given options hex. */
const tcp = (doff: number, options = '', flags = '02'): Uint8Array =>
  hex`c0 00 00 87  ff ff ff fe  80 00 00 01  ${doff.toString(16)}0 ${flags} fa f0  00 00 00 00  ${options}`;

describe('TcpView', () => {
  it('reads ports, sequence numbers, flags and window', () => {
    const d = hex`
      ff ff ff                                             # bytes before the segment
      c0 00 00 87  ff ff ff fe  80 00 00 01  50 12 fa f0  00 00 00 00   # TCP: 49152 > 135 SYN+ACK, seq 2^32-2, ack 2^31+1
      de ad                                                # payload`;
    expect(t.wrap(d, 3, d.length)).toBe(Status.Ok);
    expect(t.srcPort).toBe(49152);
    expect(t.dstPort).toBe(135);
    expect(t.seq).toBe(0xfffffffe);
    expect(t.ack).toBe(0x80000001);
    expect(t.flags).toBe(TcpFlag.SYN | TcpFlag.ACK);
    expect(t.window).toBe(64240);
    expect(t.hdrLen).toBe(20);
    expect(t.payloadOff).toBe(23);
  });

  it('calls a data offset below 5 words malformed, not truncated', () => {
    for (const doff of [0, 1, 4]) {
      const d = tcp(doff, '00 '.repeat(20));
      expect(t.wrap(d, 0, d.length)).toBe(Status.Malformed);
    }
  });

  it('calls a header shorter than its fixed 20 bytes truncated', () => {
    const d = tcp(5);
    expect(t.wrap(d, 0, 19)).toBe(Status.Truncated);
    // Also when the IP length says the segment goes on: the ports or flags are missing.
    expect(t.wrap(d, 0, 19, 40)).toBe(Status.Truncated);
  });

  it('reads a segment whose options the snaplen cut, and marks only the options as cut', () => {
    const syn = tcp(8, `
      02 04 05 b4  01  03 03 08  01 01  04 02   # MSS 1460, NOP, WS 8, NOP, NOP, SACK permitted`);
    // The IP length says 32 header bytes; 30 were captured (a 68-byte snaplen on a VLAN trunk).
    expect(t.wrap(syn, 0, 30, 32)).toBe(Status.Ok);
    expect(t.optionsCut).toBe(true);
    expect([t.srcPort, t.dstPort, t.seq, t.flags]).toEqual([49152, 135, 0xfffffffe, TcpFlag.SYN]);
    expect(t.hdrLen).toBe(32);
    expect(t.payloadOff).toBe(32);
    // The walk reads what was captured and leaves the option the cut went through absent.
    t.options(opts);
    expect(opts).toEqual({ mss: 1460, windowScale: 8, sackPermitted: false });
    expect(t.wrap(syn, 0, 32, 32)).toBe(Status.Ok);
    expect(t.optionsCut).toBe(false);
  });

  it('leaves an option absent when the cut falls inside it', () => {
    const d = tcp(7, '01 01 01 02 04 05 b4 00');
    expect(t.wrap(d, 0, 25, 28)).toBe(Status.Ok);
    t.options(opts);
    expect(opts.mss).toBe(-1);
  });

  it('calls a data offset past the segment malformed, whatever was captured', () => {
    const long = tcp(15, '01 '.repeat(20)); // 60-byte header, a 40-byte segment
    expect(t.wrap(long, 0, long.length)).toBe(Status.Malformed);
    // Cut by the snaplen, but the IP length (50) is still shorter than the header.
    expect(t.wrap(long, 0, 30, 50)).toBe(Status.Malformed);
    const exact = tcp(15, '01 '.repeat(40));
    expect(t.wrap(exact, 0, exact.length)).toBe(Status.Ok);
    expect(t.optionsCut).toBe(false);
    expect(t.payloadOff).toBe(60);
  });

  it('reads MSS, window scale and SACK-permitted', () => {
    const d = tcp(10, `
      02 04 05 b4               # MSS 1460
      01                        # NOP
      03 03 08                  # window scale 8
      04 02                     # SACK permitted
      08 0a 00 00 00 01 00 00 00 00  # timestamps
      00                        # end of options`);
    expect(t.wrap(d, 0, d.length)).toBe(Status.Ok);
    t.options(opts);
    expect(opts).toEqual({ mss: 1460, windowScale: 8, sackPermitted: true });
  });

  it('reports absent options as -1 / false, also after a segment that had them', () => {
    const withOpts = tcp(7, '02 04 05 b4 03 03 08 04 02 00');
    t.wrap(withOpts, 0, withOpts.length);
    t.options(opts);
    const bare = tcp(5);
    expect(t.wrap(bare, 0, bare.length)).toBe(Status.Ok);
    t.options(opts);
    expect(opts).toEqual({ mss: -1, windowScale: -1, sackPermitted: false });
  });

  it('stops at End of Option List', () => {
    const d = tcp(7, '00 00 02 04 05 b4 00 00');
    t.wrap(d, 0, d.length);
    t.options(opts);
    expect(opts.mss).toBe(-1);
  });

  it('stops at a malformed option length instead of looping or reading past the header', () => {
    const cases: [string, string][] = [
      ['02 00 02 04 05 b4 00 00', 'length 0'],
      ['02 01 02 04 05 b4 00 00', 'length 1'],
      ['01 01 01 02 ff 05 b4 00', 'length past the header'],
      ['01 01 01 01 01 01 01 02', 'kind in the last byte, no length'],
    ];
    for (const [o, why] of cases) {
      const d = tcp(7, o);
      // Bytes after the header that would look like an MSS option if the walk ran on.
      const buf = new Uint8Array(d.length + 4);
      buf.set(d);
      buf.set([2, 4, 0x12, 0x34], d.length);
      expect(t.wrap(buf, 0, buf.length), why).toBe(Status.Ok);
      t.options(opts);
      expect(opts.mss, why).toBe(-1);
    }
  });

  it('ignores known options with the wrong length but keeps walking', () => {
    const d = tcp(9, '02 05 05 b4 00  03 02  04 03 00  02 04 01 00  00 00');
    t.wrap(d, 0, d.length);
    t.options(opts);
    expect(opts).toEqual({ mss: 256, windowScale: -1, sackPermitted: false });
  });
});

describe('flagsText', () => {
  it('prints each flag at its place, CWR first and FIN last', () => {
    const one: [number, string][] = [
      [TcpFlag.CWR, 'C.......'], [TcpFlag.ECE, '.E......'], [TcpFlag.URG, '..U.....'], [TcpFlag.ACK, '...A....'],
      [TcpFlag.PSH, '....P...'], [TcpFlag.RST, '.....R..'], [TcpFlag.SYN, '......S.'], [TcpFlag.FIN, '.......F'],
    ];
    for (const [f, s] of one) expect(flagsText(f)).toBe(s);
  });
  it('prints the combinations a handshake uses', () => {
    expect(flagsText(0)).toBe('........');
    expect(flagsText(TcpFlag.SYN | TcpFlag.ACK)).toBe('...A..S.');
    expect(flagsText(TcpFlag.SYN | TcpFlag.ECE | TcpFlag.CWR)).toBe('CE....S.');
    expect(flagsText(TcpFlag.RST | TcpFlag.ACK)).toBe('...A.R..');
    expect(flagsText(0xff)).toBe('CEUAPRSF');
  });
});
