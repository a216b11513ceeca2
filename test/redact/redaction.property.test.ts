/**
 * Redaction leaves nothing behind: captures generated with random IPv4 and IPv6 addresses, MAC
 * addresses, host names (NetBIOS and DNS, in DCOM string bindings and security bindings), a
 * domain, packet comments and file names that carry them, run through `analyze --redact` in
 * every format and with --evidence; no original survives in any output, in any encoding
 * written (dotted or colon text, ASCII and UTF-16LE, raw bytes, any letter case). The reports
 * keep their verdicts, the evidence file its frames; the same key gives the same pseudonyms.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run } from '../../src/cli/main.js';
import { writePcapng, type WriterFrame } from '../../src/capture/writer.js';
import { blockedScenario, macOf, T0 } from '../../samples/gen/scenario.js';
import { SAMPLES } from '../helpers/corpus.js';
import { Clock, EtherType, IpProto, NDR_V2, TcpConversation, dcerpcBind, dcerpcBindAck, dcerpcRequest, dcerpcResponse, ethernet, ethernetLink, icmpv4Unreachable, Icmp4Unreach, ipv4, pcapFile } from './gen.js';
import { ISYSTEM_ACTIVATOR, remoteCreateInstanceRequest, remoteCreateInstanceResponse } from '../../samples/gen/dcom.js';
import { Rng } from '../helpers/random.js';
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from '../helpers/external.js';
import { HAVE_TSHARK } from '../helpers/tshark.js';
import { spawnSync } from 'node:child_process';

const dir = mkdtempSync(join(tmpdir(), 'rpctrace-redact-'));

/** What a generated capture holds that must not survive redaction. */
interface Secrets {
  v4: string[];
  v6: string[];
  macs: string[];
  names: string[];
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

function randomV4(r: Rng): string {
  for (;;) {
    const o = [1 + r.int(222), r.int(256), r.int(256), 1 + r.int(254)];
    if (o[0] === 127 || (o[0] === 198 && (o[1] === 18 || o[1] === 19)) || o[0]! >= 224) continue;
    return o.join('.');
  }
}
const randomV6 = (r: Rng): string => `fd${hex2(r.int(256))}:${(0x100 + r.int(0xff00)).toString(16)}:${r.int(0x10000).toString(16)}::${(1 + r.int(0xfffe)).toString(16)}`;
const randomMac = (r: Rng): string => [r.int(256) & 0xfc, ...Array.from({ length: 5 }, () => r.int(256))].map(hex2).join(':');
function randomName(r: Rng, min = 6): string {
  const letters = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
  let s = letters[r.int(letters.length)]!;
  while (s.length < min + r.int(5)) s += r.pick([...letters, ...'23456789']);
  return s.slice(0, -1) + r.pick([...'23456789']);
}

/** A DCOM activation whose answer names the server by NetBIOS name, DNS name and address, then SYNs to the port unanswered. */
function dcomCapture(r: Rng, s: { client: string; server: string; name: string; fqdn: string; domain: string; clientMac: string; serverMac: string; port: number }): WriterFrame[] {
  const out: WriterFrame[] = [];
  const clock = new Clock(T0);
  const link = ethernetLink({ clientMac: s.clientMac, serverMac: s.serverMac });
  const c = new TcpConversation({ clock, out, link, client: s.client, server: s.server, clientPort: 49801, serverPort: 135, clientIsn: r.u32() >>> 0, serverIsn: r.u32() >>> 0 });
  c.connect();
  c.send('client', dcerpcBind({ callId: 1, contexts: [{ id: 0, abstract: ISYSTEM_ACTIVATOR, transfer: [NDR_V2] }] }));
  c.send('server', dcerpcBindAck({ callId: 1, secondaryAddress: '135', results: [{ result: 0, transfer: NDR_V2 }] }));
  c.send('client', dcerpcRequest({ callId: 2, opnum: 4, stub: remoteCreateInstanceRequest({ clsid: '4991d34b-80a1-4291-83b6-3328366b9097', serverName: s.fqdn, cid: 'a3c1f5e2-7d44-4b19-9e0a-6c2b8d1f4e73' }) }));
  clock.advanceMs(3);
  c.send('server', dcerpcResponse({
    callId: 2,
    stub: remoteCreateInstanceResponse({
      bindings: [`${s.name}[${s.port}]`, `${s.fqdn}[${s.port}]`, `${s.server}[${s.port}]`], resolver: [s.name, s.server], principal: `${s.domain}\\${s.name}$`,
      oxid: r.bytes(8), oid: r.bytes(8), ipid: '0000a801-0be4-0000-5d3c-d1b7a4f25e91', ipidRemUnknown: '0000bc02-0be4-0000-1f6a-2c93e0d47b58',
    }),
  }));
  c.close('client');
  const d = new TcpConversation({ clock, out, link, client: s.client, server: s.server, clientPort: 49802, serverPort: s.port, clientIsn: r.u32() >>> 0, serverIsn: r.u32() >>> 0 });
  const t = clock.clone();
  for (const at of [0, 3000, 9000]) { clock.setAfter(t, at); d.syn(); }
  clock.setAfter(t, 25000);
  d.syn();
  return out;
}

/** The blocked EPM case with an ICMP refusal from a router, as a variant with three parties. */
function refusedCapture(r: Rng, s: { client: string; server: string; router: string; clientMac: string; serverMac: string }): WriterFrame[] {
  const out = blockedScenario({ link: ethernetLink({ clientMac: s.clientMac, serverMac: s.serverMac }), client: s.client, server: s.server, seed: r.int(1000) });
  const last = out[out.length - 1]!;
  const ip = last.data.subarray(14);
  const icmp = icmpv4Unreachable(Icmp4Unreach.ADMIN_PROHIBITED, ip);
  out.push({ tsSec: last.tsSec, tsNsec: Math.min(999_999_999, last.tsNsec + 300_000), data: ethernet({ dst: s.clientMac, src: s.serverMac, etherType: EtherType.IPV4 }, ipv4({ src: s.router, dst: s.client, proto: IpProto.ICMP, id: 0x3100, ttl: 255 }, icmp)) });
  return out;
}

interface Generated { path: string; secrets: Secrets }

function generate(seed: number): Generated {
  const r = new Rng(seed);
  const client = randomV4(r);
  const server = randomV4(r);
  const clientMac = randomMac(r);
  const serverMac = randomMac(r);
  const name = randomName(r);
  const domain = randomName(r, 5);
  const sub = randomName(r, 5).toLowerCase();
  const fqdn = `${name.toLowerCase()}.${sub}.example`;
  const port = 49152 + r.int(16000);
  const kind = seed % 3;
  let frames: WriterFrame[];
  const secrets: Secrets = { v4: [client, server], v6: [], macs: [clientMac, serverMac], names: [name, domain, sub] };
  if (kind === 0) {
    frames = dcomCapture(r, { client, server, name, fqdn, domain, clientMac, serverMac, port });
  } else if (kind === 1) {
    const router = randomV4(r);
    secrets.v4.push(router);
    frames = refusedCapture(r, { client, server, router, clientMac, serverMac });
  } else {
    const c6 = randomV6(r);
    const s6 = randomV6(r);
    secrets.v6.push(c6, s6);
    frames = blockedScenario({ link: ethernetLink({ clientMac, serverMac }), client: c6, server: s6, towerIp: server, seed });
  }
  // A packet comment that names everything, and a file name with the host name and an address in it.
  const commented = frames.map((f, i) => (i === 0 ? { ...f, comment: `${name} ${fqdn} ${client} ${serverMac}` } : f));
  const path = join(dir, `${name}-${client}-trace-${seed}.pcapng`);
  writeFileSync(path, writePcapng([{ interfaces: [{ linkType: 1, name: `\\Device\\NPF_${name}` }], items: commented }]));
  void pcapFile;
  return { path, secrets };
}

/** Every form a secret may take in an output: text (any case, ASCII and UTF-16LE), raw bytes. */
function leaks(out: Buffer, s: Secrets): string[] {
  const found: string[] = [];
  const texts = [out.toString('latin1').toLowerCase(), out.toString('utf16le').toLowerCase(), out.subarray(1).toString('utf16le').toLowerCase()];
  const text = (needle: string, joined: string): void => {
    const re = new RegExp(`(?<![${joined}])${needle.toLowerCase().replace(/[.]/g, '\\.')}(?![${joined}])`);
    if (texts.some((t) => re.test(t))) found.push(needle);
  };
  const raw = (label: string, bytes: Uint8Array): void => { if (out.includes(Buffer.from(bytes))) found.push(`${label} (raw)`); };
  for (const a of s.v4) { text(a, '0-9.'); raw(a, Uint8Array.from(a.split('.').map(Number))); }
  for (const a of s.v6) text(a, '0-9a-f:');
  for (const m of s.macs) { text(m, '0-9a-f:'); raw(m, Uint8Array.from(m.split(':').map((x) => Number.parseInt(x, 16)))); }
  for (const n of s.names) text(n, 'a-z0-9');
  return found;
}

async function cli(argv: string[]): Promise<{ code: number; err: string }> {
  let err = '';
  const code = await run(argv, { out: { write: () => {} }, err: { write: (x: string) => { err += x; } }, env: {} });
  return { code, err };
}

describe('redaction', () => {
  for (let seed = 1; seed <= 9; seed++) {
    it(`seed ${seed}: no original address, MAC or name survives in any format or in the evidence file`, async () => {
      const g = generate(seed);
      const plain = join(dir, `plain-${seed}.json`);
      expect((await cli(['analyze', '--format', 'json', '--output', plain, '--fail-on', 'none', g.path])).code).toBe(0);
      // The unredacted report does name them: the test would catch a leak.
      expect(leaks(readFileSync(plain), g.secrets).length).toBeGreaterThan(0);
      const evidence = join(dir, `ev-${seed}.pcapng`);
      for (const format of ['table', 'json', 'md', 'html']) {
        const out = join(dir, `r-${seed}.${format}`);
        const argv = ['analyze', '--redact', '--format', format, '--output', out, '--fail-on', 'none', ...(format === 'json' ? ['--evidence', evidence] : []), g.path];
        const r = await cli(argv);
        expect(r.code).toBe(0);
        expect(leaks(readFileSync(out), g.secrets), `${format} of seed ${seed}`).toEqual([]);
      }
      expect(leaks(readFileSync(evidence), g.secrets), `evidence of seed ${seed}`).toEqual([]);
      if (HAVE_TSHARK) {
        // Checksums were updated with the addresses: tshark, verifying them, finds none bad (status 0).
        const t = spawnSync('tshark', ['-n', '-r', evidence, '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE', '-T', 'fields',
          '-e', 'frame.number', '-e', 'ip.checksum.status', '-e', 'tcp.checksum.status', '-e', 'icmp.checksum.status', '-e', 'icmpv6.checksum.status'], { encoding: 'utf8', timeout: EXTERNAL_CALL_MS });
        expect(t.status).toBe(0);
        const rows = t.stdout.trim().split('\n');
        expect(rows.length).toBeGreaterThan(3);
        for (const row of rows) expect(row.split('\t').slice(1).join(',').split(',')).not.toContain('0');
      }
      // Same verdicts, same frames: only the names changed.
      const a = JSON.parse(readFileSync(plain, 'utf8')) as { files: { findings: { id: string; evidenceFrames: number[] }[] }[] };
      const b = JSON.parse(readFileSync(join(dir, `r-${seed}.json`), 'utf8')) as typeof a;
      expect(b.files[0]!.findings.map((f) => [f.id, f.evidenceFrames])).toEqual(a.files[0]!.findings.map((f) => [f.id, f.evidenceFrames]));
    }, EXTERNAL_TEST_MS);
  }

  it('the same key gives the same pseudonyms in every run; no key, new ones each run', async () => {
    const g = generate(3);
    const outs: string[] = [];
    for (const key of ['k1', 'k1', undefined, undefined]) {
      const out = join(dir, `stable-${outs.length}.json`);
      await cli(['analyze', '--format', 'json', '--output', out, ...(key !== undefined ? ['--redact-key', key] : ['--redact']), g.path]);
      outs.push(readFileSync(out, 'utf8'));
    }
    expect(outs[0]).toBe(outs[1]);
    expect(outs[2]).not.toBe(outs[3]);
  }, EXTERNAL_TEST_MS);
});

describe('redaction of the agent checks', () => {
  // The agent samples' hosts, the names DNS answers and Kerberos give them (samples/gen/agent.ts),
  // and the MACs of those on the sample LAN.
  const hosts = ['10.1.1.10', '10.1.1.30', '10.1.1.50', '10.1.1.2'];
  const secrets: Secrets = { v4: hosts, v6: [], macs: hosts.map(macOf), names: ['corp', 'scom01', 'dc01', 'ws50', 'ops'] };
  for (const sample of ['agent-dns-failure', 'agent-kerberos-skew', 'agent-spn-unknown', 'agent-disjoint-namespace', 'agent-heartbeat-gap-unreachable', 'agent-ldap-kerberos-tcp-blocked']) {
    it(`${sample}: hosts, names asked for, realms and principals leave no trace in any format or the evidence file`, async () => {
      const path = join(SAMPLES, `${sample}.pcap`);
      const plain = join(dir, `${sample}.plain.json`);
      expect((await cli(['analyze', '--format', 'json', '--output', plain, '--fail-on', 'none', path])).code).toBe(0);
      expect(leaks(readFileSync(plain), secrets).length).toBeGreaterThan(0);
      const evidence = join(dir, `${sample}.pcapng`);
      for (const format of ['table', 'json', 'md', 'html']) {
        const out = join(dir, `${sample}.${format}`);
        const r = await cli(['analyze', '--redact', '--format', format, '--output', out, '--fail-on', 'none', ...(format === 'json' ? ['--evidence', evidence] : []), path]);
        expect(r.code).toBe(0);
        expect(leaks(readFileSync(out), secrets), `${format} of ${sample}`).toEqual([]);
      }
      expect(leaks(readFileSync(evidence), secrets), `evidence of ${sample}`).toEqual([]);
      // The agent section and the findings keep their shape: same ids, frames, roles and counts.
      type Doc = { files: { findings: { id: string; evidenceFrames: number[] }[]; agent?: { hosts: { roles: string[] }[]; names: unknown[] } }[] };
      const a = JSON.parse(readFileSync(plain, 'utf8')) as Doc;
      const b = JSON.parse(readFileSync(join(dir, `${sample}.json`), 'utf8')) as Doc;
      expect(b.files[0]!.findings.map((f) => [f.id, f.evidenceFrames])).toEqual(a.files[0]!.findings.map((f) => [f.id, f.evidenceFrames]));
      expect(b.files[0]!.agent?.hosts.map((h) => h.roles)).toEqual(a.files[0]!.agent?.hosts.map((h) => h.roles));
      expect(b.files[0]!.agent?.names.length).toBe(a.files[0]!.agent?.names.length);
    }, EXTERNAL_TEST_MS);
  }
});
