/**
 * The agent checks' decoders against tshark, frame by frame, on the agent samples and on the
 * real Kerberos and CLDAP captures of ../shared/corpus/public: DNS (id, QR, RCODE, question,
 * A answers), Kerberos (message type, error code, nonce, service name, server time), CLDAP
 * (message ids and operations), TLS alerts on 5723 (tshark told to read 5723 as TLS), ICMP echo
 * (identifier, sequence). Then the transactions the analyzer made of them: every request and
 * every Kerberos answer tshark sees, UDP and TCP, is in one, with the same frame numbers.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CaptureAnalysis } from '../../src/analysis/capture-analysis.js';
import { openCapture } from '../../src/capture/open.js';
import { forEachRecord } from '../../src/capture/reader.js';
import { Dissector } from '../../src/dissect/dissector.js';
import { L4 } from '../../src/dissect/packet-info.js';
import type { Transaction } from '../../src/model/agent.js';
import { parseDns } from '../../src/wire/dns.js';
import { echoIdent, echoSeq } from '../../src/wire/icmp.js';
import { parseKrb } from '../../src/wire/kerberos.js';
import { parseLdapMessages } from '../../src/wire/ldap.js';
import { tlsAlerts } from '../../src/wire/tls.js';
import { CORPUS, HAVE_CORPUS, SAMPLES } from '../helpers/corpus.js';
import { EXTERNAL_CALL_MS, EXTERNAL_TEST_MS } from '../helpers/external.js';
import { HAVE_TSHARK, TSHARK_SKIP_REASON } from '../helpers/tshark.js';

const FIELDS = [
  'frame.number', 'udp.srcport', 'dns.id', 'dns.flags.response', 'dns.flags.rcode', 'dns.qry.name', 'dns.a',
  'kerberos.msg_type', 'kerberos.error_code', 'kerberos.nonce', 'kerberos.SNameString', 'kerberos.stime', 'kerberos.susec',
  'ldap.messageID', 'ldap.protocolOp', 'tls.alert_message.desc', 'icmp.type', 'icmp.ident', 'icmp.seq',
] as const;
type Row = Record<(typeof FIELDS)[number], string[]>;

/** tshark's fields per frame (every occurrence), with TCP 5723 read as TLS. */
function tsharkRows(path: string): Map<number, Row> {
  const run = spawnSync('tshark', ['-n', '-r', path, '-d', 'tcp.port==5723,tls', '-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...FIELDS.flatMap((f) => ['-e', f])], {
    encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'pipe'], timeout: EXTERNAL_CALL_MS,
  });
  if (run.status !== 0) throw new Error(`tshark failed on ${path}: ${run.stderr}`);
  const rows = new Map<number, Row>();
  for (const line of run.stdout.split('\n')) {
    if (line === '') continue;
    const cells = line.split('\t');
    const row = Object.fromEntries(FIELDS.map((f, i) => [f, cells[i] === undefined || cells[i] === '' ? [] : cells[i]!.split('|')])) as Row;
    rows.set(Number(row['frame.number'][0]), row);
  }
  return rows;
}

/** What rpctrace's decoders read in each frame, in tshark's terms. */
interface Ours {
  dns?: { id: number; response: boolean; rcode: number; qname: string; a: string[] };
  krb?: { type: number; errorCode: number | null; nonce: number | null; sname: string[]; stime: number | null };
  ldap?: { ids: number[]; ops: number[] };
  tls?: number[];
  echo?: { type: number; ident: number; seq: number };
}

async function ours(path: string): Promise<{ frames: Map<number, Ours>; transactions: Transaction[] }> {
  const opened = await openCapture(path);
  if (!('reader' in opened)) throw new Error(`${path} did not open`);
  const d = new Dissector();
  const analysis = new CaptureAnalysis({ profile: 'scom' });
  const frames = new Map<number, Ours>();
  await forEachRecord(opened.reader, opened.win, (r) => {
    analysis.record(r);
    const p = d.dissect(r);
    const o: Ours = {};
    const b = p.buf;
    const start = p.payloadOff;
    const end = start + p.payloadCaptured;
    if (p.l4 === L4.UDP && (p.srcPort === 53 || p.dstPort === 53)) {
      const m = parseDns(b, start, end);
      if (m !== null) o.dns = { id: m.id, response: m.response, rcode: m.rcode, qname: m.qname, a: m.records.filter((x) => x.type === 1).map((x) => x.data) };
    }
    if (p.l4 === L4.UDP && (p.srcPort === 88 || p.dstPort === 88)) {
      const m = parseKrb(b, start, end);
      if (m !== null) o.krb = { type: m.type, errorCode: m.errorCode, nonce: m.nonce, sname: m.sname?.split('/') ?? [], stime: m.stime };
    }
    if (p.l4 === L4.TCP && (p.srcPort === 88 || p.dstPort === 88) && end - start > 4) {
      // One message per segment in these captures: the 4-byte record mark, then the message.
      const m = parseKrb(b, start + 4, end);
      if (m !== null) o.krb = { type: m.type, errorCode: m.errorCode, nonce: m.nonce, sname: m.sname?.split('/') ?? [], stime: m.stime };
    }
    if (p.l4 === L4.UDP && (p.srcPort === 389 || p.dstPort === 389)) {
      const ms = parseLdapMessages(b, start, end);
      if (ms.length > 0) o.ldap = { ids: ms.map((m) => m.messageId), ops: ms.map((m) => m.op) };
    }
    if (p.l4 === L4.TCP && (p.srcPort === 5723 || p.dstPort === 5723) && end > start) {
      const alerts = tlsAlerts(b, start, end).filter((x) => !x.encrypted);
      if (alerts.length > 0) o.tls = alerts.map((x) => x.description);
    }
    if (p.l4 === L4.ICMP && (p.icmpType === 0 || p.icmpType === 8)) o.echo = { type: p.icmpType, ident: echoIdent(b, p.l4Off), seq: echoSeq(b, p.l4Off) };
    if (Object.keys(o).length > 0) frames.set(p.frame, o);
  });
  opened.close();
  analysis.finish();
  return { frames, transactions: analysis.observations(0).agent!.transactions };
}

/** tshark's KerberosTime text `Mar 12, 2024 09:22:31.000000000 UTC` as seconds since the epoch. */
const tsharkTime = (s: string): number => Date.parse(s.replace(/\.\d+ UTC$/, ' UTC')) / 1000;

const AGENT_SAMPLES = [
  'agent-healthy.pcap', 'agent-5723-dropped.pcap', 'agent-ldap-kerberos-tcp-blocked.pcap', 'agent-dns-failure.pcap', 'agent-kerberos-skew.pcap',
  'agent-heartbeat-gap-ping-replies.pcap', 'agent-heartbeat-gap-unreachable.pcap', 'agent-heartbeat-120s.pcap', 'agent-gateway-tls-alert.pcap',
  'agent-not-approved.pcap', 'agent-spn-unknown.pcap', 'agent-disjoint-namespace.pcap', 'scom-agent-5723-unanswered.pcap', 'busy-healthy.pcap',
].map((n) => [n, join(SAMPLES, n)] as const);
const CORPUS_FILES = HAVE_CORPUS ? ['zeek_krb_kinit_errors.pcap', 'sv_cldap_ping.pcap'].map((n) => [`corpus/public/${n}`, join(CORPUS, 'public', n)] as const) : [];

describe.skipIf(!HAVE_TSHARK)(`agent decoders agree with tshark${TSHARK_SKIP_REASON}`, () => {
  it.each([...AGENT_SAMPLES, ...CORPUS_FILES])('%s', async (_name, path) => {
    const t = tsharkRows(path);
    const { frames, transactions } = await ours(path);
    let compared = 0;
    for (const [frame, row] of t) {
      const o = frames.get(frame) ?? {};
      const at = `frame ${frame}`;
      if (row['dns.id'].length > 0 && o.dns !== undefined) {
        expect([o.dns.id, o.dns.response, o.dns.qname], at).toEqual([Number(row['dns.id'][0]), row['dns.flags.response'][0] === '1', row['dns.qry.name'][0]!.toLowerCase()]);
        if (o.dns.response) expect([o.dns.rcode, o.dns.a], at).toEqual([Number(row['dns.flags.rcode'][0]), row['dns.a']]);
        compared++;
      } else if (row['dns.id'].length > 0 && !row['dns.qry.name'].length) {
        continue;
      }
      const types = row['kerberos.msg_type'];
      // Over TCP a message may span segments: tshark shows it on the frame that completes it,
      // where the per-frame decode here cannot; the transactions below are checked instead.
      if (types.length > 0 && (o.krb !== undefined || row['udp.srcport'].length > 0)) {
        expect(o.krb, `${at}: tshark reads Kerberos`).toBeDefined();
        expect(o.krb!.type, at).toBe(Number(types[0]));
        expect(o.krb!.errorCode, at).toBe(row['kerberos.error_code'].length > 0 ? Number(row['kerberos.error_code'][0]) : null);
        if (row['kerberos.nonce'].length > 0) expect(o.krb!.nonce, at).toBe(Number(row['kerberos.nonce'][0]));
        const sn = row['kerberos.SNameString'].flatMap((x) => x.split(','));
        expect(sn.slice(sn.length - o.krb!.sname.length), at).toEqual(o.krb!.sname);
        if (row['kerberos.stime'].length > 0) {
          expect(o.krb!.stime, at).toBeCloseTo(tsharkTime(row['kerberos.stime'][0]!) + Number(row['kerberos.susec'][0] ?? 0) / 1e6, 5);
        }
        compared++;
      }
      if (row['ldap.messageID'].length > 0 && row['udp.srcport'].length > 0) {
        expect(o.ldap, `${at}: tshark reads CLDAP`).toBeDefined();
        expect([o.ldap!.ids, o.ldap!.ops], at).toEqual([row['ldap.messageID'].map(Number), row['ldap.protocolOp'].map(Number)]);
        compared++;
      }
      if (row['tls.alert_message.desc'].length > 0) {
        expect(o.tls, at).toEqual(row['tls.alert_message.desc'].map(Number));
        compared++;
      }
      if (row['icmp.ident'].length > 0 && (row['icmp.type'][0] === '8' || row['icmp.type'][0] === '0')) {
        expect(o.echo, at).toEqual({ type: Number(row['icmp.type'][0]), ident: Number(row['icmp.ident'][0]), seq: Number(row['icmp.seq'][0]) });
        compared++;
      }
    }
    // Nothing rpctrace decoded that tshark did not.
    for (const [frame, o] of frames) {
      const row = t.get(frame)!;
      if (o.krb !== undefined) expect(row['kerberos.msg_type'].length, `frame ${frame}`).toBeGreaterThan(0);
      if (o.ldap !== undefined) expect(row['ldap.messageID'].length, `frame ${frame}`).toBeGreaterThan(0);
      if (o.tls !== undefined) expect(row['tls.alert_message.desc'].length, `frame ${frame}`).toBeGreaterThan(0);
    }
    expect(compared).toBeGreaterThan(0);

    // Every Kerberos request and answer tshark sees is a request or the answer of one transaction.
    const requests = [...t].filter(([, r]) => ['10', '12'].includes(r['kerberos.msg_type'][0] ?? '')).map(([f]) => f);
    const answers = [...t].filter(([, r]) => ['11', '13', '30'].includes(r['kerberos.msg_type'][0] ?? '')).map(([f]) => f);
    const krb = transactions.filter((x) => x.app === 'kerberos');
    expect(krb.flatMap((x) => x.requestFrames).sort((a, b) => a - b)).toEqual(requests);
    expect(krb.flatMap((x) => (x.answerFrame === null ? [] : [x.answerFrame])).sort((a, b) => a - b)).toEqual(answers);
    // The same for the LDAP pings, and for DNS over UDP (a stray answer belongs to no transaction).
    const pings = [...t].filter(([, r]) => r['ldap.protocolOp'][0] === '3' && r['udp.srcport'].length > 0).map(([f]) => f);
    expect(transactions.filter((x) => x.app === 'cldap').flatMap((x) => x.requestFrames)).toEqual(pings);
  }, EXTERNAL_TEST_MS);
});
