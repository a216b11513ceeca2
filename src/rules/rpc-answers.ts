/** What DCE/RPC answers say beyond ports: faults, and addresses other than the one the client used. */
import type { AnyFindingFacts, Evidence } from '../model/finding.js';
import { evidenceList } from '../model/finding.js';
import { interfaceName } from '../model/interfaces.js';
import type { RuleContext } from './context.js';
import { groupBy, isIpLiteral, key, round } from './derive.js';

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
