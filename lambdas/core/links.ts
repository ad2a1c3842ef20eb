// Link faults: calls a caller saw fail or wait beyond what the callee itself recorded. Each one is
// put on the endpoint the pattern points to. A delay or an abort in front of a service (its proxy,
// its network, its host) shows on every call into it while its own spans stay fast; a caller that
// is starved (CPU, connection pool, its own network) shows slow calls to every callee while they
// are fast. So the endpoint that shares the most of the faulty links — weighted by the share of its
// traffic they carry — takes them; on a tie, and always when the caller is the users, the callee.

import type { Attribution, EdgeAttr } from './attribution.ts';
import type { AnalysisConfig } from './config.ts';
import type { Evidence, GraphEdge, GraphNode } from './model.ts';
import { meanLatency, significanceWeight, wilson } from './stats.ts';
import type { Topology } from './topology.ts';

/** The kinds of line that put the fault in the calls around services, not in a service's own figures. */
export const LINK_KINDS: ReadonlySet<string> = new Set<LinkFault['kind']>([
  'slow-link',
  'connection-failures',
  'throttled-link',
]);

/**
 * A group of faulty links and the side of their endpoint they point to: `front`, calls into it
 * (its network, proxy or host); `own`, its own calls out (it is starved).
 */
export interface LinkGroup {
  readonly side: 'front' | 'own';
  readonly links: readonly { readonly caller: number; readonly edge: number; readonly callee: number }[];
}

export interface LinkFault {
  /** The service the faulty links are blamed on. */
  readonly endpoint: number;
  /** Set when one caller's calls alone carry the fault (the endpoint is their callee). */
  readonly via?: { readonly caller: number; readonly edge: number };
  /** Set when the fault is not one caller's calls: the side of the endpoint and its faulty links. */
  readonly group?: LinkGroup;
  readonly kind: 'slow-link' | 'connection-failures' | 'throttled-link';
  readonly severity: number;
  /** Users' degradation (request equivalents) that flowed through the links' own part. */
  readonly blame: number;
  readonly calls: number;
  /** Calls in the reference window the lead link is compared with (the edge's baseline, else the callee's). */
  readonly reference: number;
  readonly evidence: readonly Evidence[];
}

interface Link {
  readonly caller: number;
  readonly edge: number;
  readonly callee: number;
  readonly calls: number;
  readonly failSev: number;
  readonly latSev: number;
  /** Extra seconds per call the callee does not account for. */
  readonly wait: number;
  readonly failed: number;
  readonly throttled: boolean;
  readonly reference: number;
}

/** Severity of one edge's own part: failures against the fault-rate threshold, waits against the latency-rise ratio. */
function linkOf(
  topo: Topology,
  attr: Attribution,
  cfg: AnalysisConfig,
  u: number,
  i: number,
): Link | undefined {
  const e = topo.nodes[u]?.edges[i];
  const ea = attr.edge[u]?.[i] as EdgeAttr | undefined;
  const s = e?.stats;
  if (!e || e.async || !ea || !s || s.total === 0 || ea.toNewDependency) return undefined;
  const failed = ea.link.failures + ea.link.errors;
  const wait = ea.link.latency / s.total;
  if (failed < 1 && wait < cfg.latencyFloorSeconds) return undefined;
  const hasRef = ea.baseline !== undefined || attr.node[e.to]?.baseline !== undefined;
  const failLow = wilson(Math.round(failed), s.total).low / Math.max(cfg.faultRate, 1e-3);
  const failSev = failLow >= 0.2 ? failLow * (hasRef ? significanceWeight(ea.z.failures) : 1) : 0;
  const base = Math.max(meanLatency(ea.baseline ?? attr.node[e.to]?.baseline), cfg.latencyFloorSeconds);
  const rise = Math.max(cfg.latencyRiseRatio - 1, 0.1);
  const latSev =
    wait >= cfg.latencyFloorSeconds && wait / base >= rise
      ? (wait / base / rise) * (hasRef ? significanceWeight(ea.z.latency) : 0.5)
      : 0;
  if (failSev <= 0 && latSev <= 0) return undefined;
  return {
    caller: u,
    edge: i,
    callee: e.to,
    calls: s.total,
    failSev,
    latSev,
    wait,
    failed,
    throttled: s.throttles > s.faults,
    reference: ea.baseline?.total ?? attr.node[e.to]?.baseline?.total ?? 0,
  };
}

export function localiseLinks(
  topo: Topology,
  attr: Attribution,
  cfg: AnalysisConfig,
  scope: ReadonlySet<number> | undefined,
): LinkFault[] {
  const { nodes } = topo;
  const links: Link[] = [];
  const trafficOut = new Float64Array(nodes.length);
  const trafficIn = new Float64Array(nodes.length);
  for (let u = 0; u < nodes.length; u++) {
    const edges = (nodes[u] as GraphNode).edges;
    for (let i = 0; i < edges.length; i++) {
      const e = edges[i] as GraphEdge;
      const calls = e.stats?.total ?? 0;
      if (e.async || calls === 0) continue;
      trafficOut[u] = (trafficOut[u] ?? 0) + calls;
      trafficIn[e.to] = (trafficIn[e.to] ?? 0) + calls;
      // Scoped to an alarmed service: its calls and what they reach, and users' calls into it.
      if (scope && (!scope.has(e.to) || (!scope.has(u) && !nodes[u]?.isClient))) continue;
      const link = linkOf(topo, attr, cfg, u, i);
      if (link) links.push(link);
    }
  }
  const strength = (l: Link): number => Math.log1p(Math.max(l.failSev, l.latSev));
  const sampled = (calls: number): number => calls / (calls + cfg.minRequests);
  // A service's calls out and calls in are separate questions. A starved caller (CPU, pool, its
  // own network) slows every call about alike, so its side is only as strong as its second
  // strongest faulty link: one strong link next to weak ones is that callee's, not the caller's.
  const outOf = new Map<number, Link[]>();
  const inOf = new Map<number, Link[]>();
  for (const l of links) {
    const out = outOf.get(l.caller);
    if (out) out.push(l);
    else outOf.set(l.caller, [l]);
    // A link into a service whose own figures show the same rise is its callers' view of that
    // rise, not a sign of trouble in front of it: only fast, healthy callees gather links.
    const sig = l.latSev > l.failSev ? 'latency' : 'failures';
    if (attr.node[l.callee]?.anomalous[sig]) continue;
    const into = inOf.get(l.callee);
    if (into) into.push(l);
    else inOf.set(l.callee, [l]);
  }
  // How strongly the faulty links gather at x on one side: how many there are × their strength
  // weighted by the share of x's calls on that side they carry.
  // Computed once per service (every link of a caller asks the same question).
  const outSupport = new Map<number, number>();
  for (const [x, out] of outOf) {
    if (nodes[x]?.isClient || out.length < 2) continue;
    const cap = out.map(strength).sort((p, q) => q - p)[1] as number;
    const traffic = Math.max(1, trafficOut[x] ?? 0);
    outSupport.set(
      x,
      out.length * out.reduce((sum, l) => sum + (Math.min(strength(l), cap) * l.calls) / traffic, 0),
    );
  }
  const inSupport = new Map<number, number>();
  for (const [x, into] of inOf) {
    const traffic = Math.max(1, trafficIn[x] ?? 0);
    inSupport.set(x, into.length * into.reduce((sum, l) => sum + (strength(l) * l.calls) / traffic, 0));
  }

  // A slow link into a callee whose other callers, busy enough to tell, wait no longer than
  // before: the delay is on the caller's side of that one link (its host, network or sidecar).
  const othersSeeItFast = (l: Link): boolean => {
    if (l.latSev <= l.failSev || nodes[l.caller]?.isClient) return false;
    let calls = 0;
    let extra = 0;
    for (const c of topo.callers[l.callee] ?? []) {
      if (c.from === l.caller || nodes[c.from]?.isClient) continue;
      const e = nodes[c.from]?.edges[c.edge];
      const ea = attr.edge[c.from]?.[c.edge];
      if (!e?.stats || e.async || !ea?.baseline || ea.baseline.total === 0) continue;
      calls += e.stats.total;
      extra += Math.max(0, ea.excess.latency);
    }
    return calls >= cfg.minRequests && extra / calls < Math.max(cfg.latencyFloorSeconds, 0.1 * l.wait);
  };
  const groups = new Map<string, { endpoint: number; outbound: boolean; links: Link[] }>();
  for (const l of links) {
    // One faulty link says nothing about its caller; several from one caller point to it.
    const outbound =
      (outSupport.get(l.caller) ?? 0) > (inSupport.get(l.callee) ?? 0) ||
      ((inOf.get(l.callee)?.length ?? 0) <= 1 && othersSeeItFast(l));
    const endpoint = outbound ? l.caller : l.callee;
    const k = `${endpoint}/${outbound ? 'out' : 'in'}`;
    const g = groups.get(k);
    if (g) g.links.push(l);
    else groups.set(k, { endpoint, outbound, links: [l] });
  }
  const out: LinkFault[] = [];
  for (const g of groups.values()) {
    // The group is as strong as its best-supported link: a severity read off a few calls does
    // not borrow the sample size of the group's other, busier links.
    const lead = g.links.reduce((best, l) =>
      strength(l) * sampled(l.calls) > strength(best) * sampled(best.calls) ? l : best,
    );
    const calls = lead.calls;
    const failSev = lead.failSev;
    const latSev = lead.latSev;
    const blame = g.links.reduce((b, l) => b + (attr.linkBlame[l.caller]?.[l.edge] ?? 0), 0);
    const only = g.links.length === 1 ? g.links[0] : undefined;
    const byUsers = only !== undefined && nodes[only.caller]?.isClient === true;
    out.push({
      endpoint: g.endpoint,
      ...(only && !g.outbound && !byUsers
        ? { via: { caller: only.caller, edge: only.edge } }
        : {
            group: {
              side: g.outbound ? ('own' as const) : ('front' as const),
              links: g.links.map((l) => ({ caller: l.caller, edge: l.edge, callee: l.callee })),
            },
          }),
      kind:
        failSev >= latSev
          ? g.links.some((l) => l.throttled)
            ? 'throttled-link'
            : 'connection-failures'
          : 'slow-link',
      severity: Math.max(failSev, latSev),
      blame,
      calls,
      reference: lead.reference,
      evidence: linkEvidence(topo, g.endpoint, g.outbound, g.links),
    });
  }
  return out;
}

function linkEvidence(
  topo: Topology,
  endpoint: number,
  outbound: boolean,
  links: readonly Link[],
): Evidence[] {
  const label = (x: number) => linkEndName(topo, x);
  const out: Evidence[] = links.map((l) => {
    const from = label(l.caller);
    const to = label(l.callee);
    return l.failSev >= l.latSev
      ? {
          signal: 'link',
          text: `${from} saw ${Math.round(l.failed)} more failed calls to ${to} than ${to} itself recorded (${l.calls} calls)`,
          incident: Math.round(l.failed),
          requests: l.calls,
        }
      : {
          signal: 'link',
          text: `calls from ${from} to ${to} took ${ms(l.wait)} longer than ${to} itself accounts for (${l.calls} calls)`,
          incident: l.wait,
          requests: l.calls,
        };
  });
  const single = links[0];
  if (outbound && links.length === 1 && single) {
    const name = label(endpoint);
    const callee = label(single.callee);
    out.unshift({
      signal: 'link',
      text: `only ${name}'s calls to ${callee} are slow; ${callee} answers its other callers as fast as before: the delay is on ${name}'s side (its host, network or sidecar)`,
      incident: single.wait,
      requests: single.calls,
    });
  }
  if (links.length > 1) {
    const name = label(endpoint);
    const others = [...new Set(links.map((l) => label(outbound ? l.callee : l.caller)))];
    const named = `${others.slice(0, 3).join(', ')}${others.length > 3 ? ` and ${others.length - 3} more` : ''}`;
    out.unshift({
      signal: 'link',
      text: outbound
        ? `${name}'s calls to ${others.length} services (${named}) are all slow or failing beyond what those services record: the fault is on ${name}'s side (its host, CPU, network or connection pool)`
        : `calls into ${name} from ${others.length} callers (${named}) are all slow or failing beyond what ${name} itself records: the fault is in front of ${name} (its network, proxy or host)`,
      incident: links.length,
      requests: links.reduce((n, l) => n + l.calls, 0),
    });
  }
  return out;
}

/**
 * How an end of a faulty link is named in its evidence and its advice: the users by that name, not
 * by their client node's label; a service by its label.
 */
export const linkEndName = (topo: Topology, x: number): string =>
  topo.nodes[x]?.isClient ? 'the users' : (topo.labels[x] as string);

export const ms = (seconds: number): string =>
  seconds >= 1 ? `${seconds.toFixed(2)} s` : `${Math.round(seconds * 1000)} ms`;
