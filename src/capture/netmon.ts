// Placeholder while the NetMon reader is being written (see issue 2).
import { u32 } from '../wire/bytes.js';
import type { ByteWindow } from './source.js';
import { WindowReader, type CaptureReader, type CaptureRecord, type FormatInfo } from './reader.js';
export function netmonMagic(b: Uint8Array, o: number): boolean {
  const m = u32(b, o, false);
  return m === 0x474d4255 || m === 0x52545353;
}
export class NetmonReader extends WindowReader implements CaptureReader {
  readonly format = 'netmon' as const;
  readonly info: FormatInfo = { byteOrder: 'little', timestampResolution: 'us', version: '?', snaplen: 0, sections: 1 };
  constructor(win: ByteWindow, _fd: number | null) { super(win); this.fail('bad-header', 0, 'netmon: not yet supported'); }
  next(): CaptureRecord | null { return null; }
}
