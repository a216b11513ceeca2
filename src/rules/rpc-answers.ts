/** What DCE/RPC answers say beyond ports: faults, binds refused, and addresses other than the one the client used. */
import type { AnyFindingFacts, Evidence } from '../model/finding.js';
import { evidenceList } from '../model/finding.js';
import { interfaceName } from '../model/interfaces.js';
import type { RuleContext } from './context.js';
import { groupBy, isIpLiteral, key, round } from './derive.js';
import { BIND_NAK_REASONS, CONTEXT_REJECT_REASONS } from '../model/rpc-status.js';
import { BIND_SCAN_INTERFACES } from '../model/finding-text.js';
import { pushAll } from '../model/lists.js';

export function rpcAnswerRules(ctx: RuleContext): AnyFindingFacts[] {
  const out: AnyFindingFacts[] = [];
  const none = { protocol: 'tcp' as const, inferred: false, folded: null };
  for (const g of groupBy(ctx.obs.rpc.faults, (f) => `${key(f.client, f.server, f.serverPort)}|${f.status}`)) {
    const f = g[0]!;
    out.push({
      id: 'RPC_FAULT', severity: 'warning', ...none, client: f.client, server: f.server, port: f.serverPort,
      ...evidenceList(g.flatMap((x): Evidence[] => [
        ...(x.requestFrame !== null ? [{ frame: x.requestFrame, role: 'rpc-request' as const, time: round(x.requestTime) }] : []),
        { frame: x.frame, role: 'rpc-fault', time: round(x.time) },
      ])),
      params: { calls: g.length, frame: f.frame, status: f.status, interfaceUuid: f.interfaceUuid, interfaceName: f.interfaceUuid !== null ? interfaceName(f.interfaceUuid) : null, opnum: f.opnum },
    });
  }
  pushAll(out, bindRejectedRules(ctx));
  for (const { endpoint: e } of ctx.endpoints) {
    const h = e.advertisedHost;
    if (e.source !== 'epm' || h === null || h === '0.0.0.0' || h === e.server || !isIpLiteral(h)) continue;
    out.push({
      id: 'TOWER_ADDRESS_MISMATCH', severity: 'warning', ...none, client: e.client, server: e.server, port: e.port,
      ...evidenceList([{ frame: e.frame, role: 'endpoint-answer', time: e.time }]),
      params: { kind: 'tower', frame: e.frame, advertisedHost: h },
    });
  }
  for (const b of ctx.obs.rpc.bindAcks) {
    const port = Number(b.secondaryAddress);
    if (b.secondaryAddress === '' || !Number.isInteger(port) || port === b.serverPort || b.serverPort === 135) continue;
    out.push({
      id: 'TOWER_ADDRESS_MISMATCH', severity: 'warning', ...none, client: b.client, server: b.server, port: b.serverPort,
      ...evidenceList([{ frame: b.frame, role: 'bind-ack', time: round(b.time) }]),
      params: { kind: 'bind-ack', frame: b.frame, secondaryAddress: b.secondaryAddress, listenPort: port },
    });
  }
  return out;
}

/**
 * Binds the server refused, one finding per client, server port, kind and reason: an error for a
 * bind, a warning for an alter_context (the client may fall back), information when the client
 * had many different interfaces refused by the server (an interface scanner).
 */
function bindRejectedRules(ctx: RuleContext): AnyFindingFacts[] {
  const rejects = ctx.obs.rpc.bindRejects;
  // Distinct interfaces refused per client and server.
  const perPair = new Map<string, Set<string>>();
  for (const r of rejects) {
    const k = `${r.client}|${r.server}`;
    const set = perPair.get(k) ?? new Set<string>();
    for (const i of r.interfaces) set.add(i);
    perPair.set(k, set);
  }
  const out: AnyFindingFacts[] = [];
  for (const g of groupBy(rejects, (r) => `${key(r.client, r.server, r.serverPort)}|${r.kind}|${r.reason}|${r.alter}`)) {
    const r = g[0]!;
    const interfaces = perPair.get(`${r.client}|${r.server}`)?.size ?? 0;
    const uuid = r.interfaces[0] ?? null;
    const reasonName = r.kind === 'reset' ? 'connection reset' : r.kind === 'closed' ? 'connection closed'
      : (r.kind === 'nak' ? BIND_NAK_REASONS : CONTEXT_REJECT_REASONS)[r.reason] ?? `reason ${r.reason}`;
    const closing = r.kind === 'reset' || r.kind === 'closed';
    out.push({
      id: 'RPC_BIND_REJECTED', severity: interfaces >= BIND_SCAN_INTERFACES ? 'info' : r.alter ? 'warning' : 'error',
      protocol: 'tcp', inferred: false, folded: null, client: r.client, server: r.server, port: r.serverPort,
      ...evidenceList(g.flatMap((x): Evidence[] => [
        ...(x.bindFrame !== null ? [{ frame: x.bindFrame, role: 'rpc-bind' as const, time: round(x.bindTime) }] : []),
        { frame: x.frame, role: closing ? 'bind-closed' : 'bind-rejected', time: round(x.time) },
      ])),
      params: {
        kind: r.kind, reason: r.reason, reasonName, binds: g.length, frame: r.frame, bindFrame: r.bindFrame, alter: r.alter,
        interfaceUuid: uuid, interfaceName: uuid !== null ? interfaceName(uuid) : null, interfaces,
      },
    });
  }
  return out;
}
