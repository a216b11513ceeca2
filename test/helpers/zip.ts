/**
 * A small zip writer for tests (APPNOTE.TXT 4.3): local headers, data, central directory, end
 * record. Enough to build the archives users attach to tickets, and the broken and hostile ones
 * rpctrace must refuse: encrypted flags, unsupported methods, overlapping members.
 */
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: Uint8Array;
  /** 8 (deflate, default) or 0 (stored); any other number is written as is, with the data stored. */
  method?: number;
  /** Sets the "encrypted" flag (bit 0); the data is written as given. */
  encrypted?: boolean;
}

/** The archive's bytes. `overlapWith`: member index -> index of an earlier member whose local header it reuses (a zip bomb's construction). */
export function zipFile(entries: readonly ZipEntry[], opts: { overlapWith?: Record<number, number> } = {}): Uint8Array {
  const locals: Buffer[] = [];
  const central: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  entries.forEach((e, i) => {
    const method = e.method ?? 8;
    const body = method === 8 ? deflateRawSync(e.data) : Buffer.from(e.data);
    const name = Buffer.from(e.name, 'utf8');
    const flags = (e.encrypted === true ? 0x0001 : 0) | 0x0800;
    const crc = crc32(e.data) >>> 0;
    const reuse = opts.overlapWith?.[i];
    let at = offset;
    if (reuse !== undefined) {
      at = offsets[reuse]!;
    } else {
      const h = Buffer.alloc(30);
      h.writeUInt32LE(0x04034b50, 0);
      h.writeUInt16LE(20, 4);
      h.writeUInt16LE(flags, 6);
      h.writeUInt16LE(method, 8);
      h.writeUInt16LE(0x21, 12); // 1980-01-01
      h.writeUInt32LE(crc, 14);
      h.writeUInt32LE(body.length, 18);
      h.writeUInt32LE(e.data.length, 22);
      h.writeUInt16LE(name.length, 26);
      locals.push(h, name, body);
      offset += h.length + name.length + body.length;
    }
    offsets.push(at);
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(20, 4);
    c.writeUInt16LE(20, 6);
    c.writeUInt16LE(flags, 8);
    c.writeUInt16LE(method, 10);
    c.writeUInt16LE(0x21, 14);
    c.writeUInt32LE(crc, 16);
    c.writeUInt32LE(body.length, 20);
    c.writeUInt32LE(e.data.length, 24);
    c.writeUInt16LE(name.length, 28);
    c.writeUInt32LE(at, 42);
    central.push(c, name);
  });
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, cd, end]));
}
