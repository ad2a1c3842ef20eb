// What the cascade picture shows: the services of a Finding and the calls between them, cut down
// so that a 10,000-service graph stays readable. The cascade (every service that is not healthy)
// is always drawn; healthy services next to it are folded into one "+N healthy" node per caller.
// Edges come from the parsed service graph when the caller has it (exact call counts), otherwise
// from the Finding itself (its dependency chain and cascade paths, widths estimated).

import type { Finding, ServiceGraph, ServiceHealth, ServiceRole } from '../core/model.ts';
import { serviceLabels } from './format.ts';
import { type FailureFigures, failureFigures } from './numbers.ts';

export interface ViewLimits {
  /** Graphs with at most this many services are drawn whole. */
  readonly fullGraph: number;
  /** Beyond this many anomalous services, those on no cascade path are folded too. */
  readonly maxCascade: number;
}

export const DEFAULT_VIEW_LIMITS: ViewLimits = { fullGraph: 40, maxCascade: 300 };

export interface ServiceViewNode {
  readonly kind: 'service';
  readonly id: string;
  /** The engine's label: the name, with the type when two services share it. */
  readonly label: string;
  readonly health: ServiceHealth;
  /** 5xx and 429 now and in the baseline: the number the evidence and the tables show too. */
  readonly failures: FailureFigures;
  /** Rank of the root cause this service is, if it is one. */
  readonly rootCauseRank: number | undefined;
  /** On a path from the top root cause to the users. */
  readonly onPath: boolean;
}

export interface UsersViewNode {
  readonly kind: 'users';
  readonly id: 'users';
}

export interface CollapsedViewNode {
  readonly kind: 'collapsed';
  readonly id: string;
  /** Services folded into this node: callees of `parent` that are not drawn. */
  readonly count: number;
  /** How many of them are anomalous (only when the cascade itself had to be cut). */
  readonly anomalous: number;
  readonly parent: string;
}

export type ViewNode = ServiceViewNode | UsersViewNode | CollapsedViewNode;

export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  /** Calls in the incident window; estimated when `exact` is false, undefined when unknown. */
  readonly calls: number | undefined;
  readonly faults: number | undefined;
  readonly exact: boolean;
  /** Part of a path from the top root cause to the users. */
  readonly onPath: boolean;
  readonly kind: 'call' | 'entry' | 'collapsed';
}

export interface CascadeView {
  readonly nodes: readonly ViewNode[];
  readonly edges: readonly ViewEdge[];
  /** Services in the finding (its scope). */
  readonly services: number;
  /** Services drawn as themselves. */
  readonly shown: number;
  /** Services folded into "+N" nodes. */
  readonly collapsed: number;
  /** Services neither drawn nor next to a drawn one. */
  readonly elsewhere: number;
  /** Where the edges came from. */
  readonly edgesFrom: 'graph' | 'finding';
  /** Services drawn without any edge (the finding records none of their calls): laid out as a block. */
  readonly unlinked: readonly string[];
}

interface RawEdge {
  from: number;
  to: number;
  calls: number | undefined;
  faults: number | undefined;
}

const ROLE_ORDER: Readonly<Record<ServiceRole, number>> = {
  origin: 0,
  propagator: 1,
  affected: 2,
  healthy: 3,
};

/** Builds the picture's nodes and edges from a Finding and, when given, the incident's service graph. */
export function buildCascadeView(
  finding: Finding,
  graph?: ServiceGraph,
  limits: ViewLimits = DEFAULT_VIEW_LIMITS,
): CascadeView {
  const services = withPlaceholders(finding);
  const labels = serviceLabels(services);
  const indexOfLabel = new Map<string, number>();
  services.forEach((s, i) => {
    const label = labels.get(s) ?? s.service;
    if (!indexOfLabel.has(label)) indexOfLabel.set(label, i);
  });
  const top = finding.rootCauses[0];

  // Calls between services (by index into finding.services) and calls from the users.
  const edges = new Map<string, RawEdge>();
  const entryCalls = new Map<number, number | undefined>();
  const addEdge = (from: number, to: number, calls?: number, faults?: number) => {
    if (from === to) return;
    const k = `${from}>${to}`;
    const prior = edges.get(k);
    if (prior === undefined) edges.set(k, { from, to, calls, faults });
    else if (calls !== undefined) {
      prior.calls = (prior.calls ?? 0) + calls;
      prior.faults = (prior.faults ?? 0) + (faults ?? 0);
    }
  };
  const edgesFrom: CascadeView['edgesFrom'] = graph ? 'graph' : 'finding';
  if (graph) {
    const indexOfKey = new Map(services.map((s, i) => [s.key, i]));
    const at = graph.nodes.map((n) => indexOfKey.get(n.key));
    graph.nodes.forEach((n, from) => {
      for (const e of n.edges) {
        const to = at[e.to];
        if (to === undefined) continue;
        if (n.isClient) entryCalls.set(to, (entryCalls.get(to) ?? 0) + (e.stats?.total ?? 0));
        else {
          const f = at[from];
          if (f !== undefined) addEdge(f, to, e.stats?.total, e.stats?.faults);
        }
      }
    });
  } else {
    for (const c of finding.dependencyChain) {
      const to = indexOfLabel.get(c.service);
      const from = c.parent === null ? undefined : indexOfLabel.get(c.parent);
      if (to !== undefined && from !== undefined) addEdge(from, to);
    }
  }
  // Cascade paths run from the origin up through callers: each step is a call the other way.
  const pathEdges = new Set<string>();
  const onPath = new Set<number>();
  for (const p of finding.cascade.paths) {
    const idx = p.services.map((s) => indexOfLabel.get(s));
    for (let i = 0; i + 1 < idx.length; i++) {
      const callee = idx[i];
      const caller = idx[i + 1];
      if (callee === undefined || caller === undefined) continue;
      addEdge(caller, callee);
      if (p.rank === top?.rank) pathEdges.add(`${caller}>${callee}`);
    }
    const entry = idx[idx.length - 1];
    if (entry !== undefined && !entryCalls.has(entry)) entryCalls.set(entry, undefined);
    if (p.rank === top?.rank) for (const i of idx) if (i !== undefined) onPath.add(i);
  }
  for (const r of finding.rootCauses) {
    for (const name of r.blastRadius.entryPoints) {
      const i = indexOfLabel.get(name);
      if (i !== undefined && !entryCalls.has(i)) entryCalls.set(i, undefined);
    }
  }
  // Without per-edge counts, a callee's requests are shared equally among the callers drawn.
  if (!graph) {
    const callers = new Map<number, number>();
    for (const e of edges.values()) callers.set(e.to, (callers.get(e.to) ?? 0) + 1);
    for (const e of edges.values()) {
      const s = services[e.to];
      if (s) {
        e.calls = s.requests / (callers.get(e.to) ?? 1);
        e.faults = e.calls * s.faultRate;
      }
    }
    for (const i of entryCalls.keys()) entryCalls.set(i, services[i]?.requests);
  }

  // Which services are drawn.
  const rankOf = new Map<number, number>();
  for (const r of finding.rootCauses) {
    const i = indexOfLabel.get(r.service);
    if (i !== undefined && !rankOf.has(i)) rankOf.set(i, r.rank);
  }
  const visible = new Set<number>();
  if (services.length <= limits.fullGraph) {
    services.forEach((_, i) => {
      visible.add(i);
    });
  } else {
    const must = new Set<number>([...rankOf.keys(), ...onPath]);
    for (const p of finding.cascade.paths) for (const s of p.services) addIf(must, indexOfLabel.get(s));
    const anomalous = services
      .map((s, i) => ({ s, i }))
      .filter(({ s, i }) => s.role !== 'healthy' && !must.has(i))
      .sort((a, b) => ROLE_ORDER[a.s.role] - ROLE_ORDER[b.s.role] || b.s.requests - a.s.requests);
    for (const i of must) visible.add(i);
    for (const { i } of anomalous) {
      if (visible.size >= Math.max(limits.maxCascade, must.size)) break;
      visible.add(i);
    }
  }

  // Every drawn service is reached from the users: one not called by a drawn service (a
  // propagator whose caller is healthy) brings its busiest caller, and so on up to a drawn service
  // or an entry point. Otherwise a big graph shows services hanging with no caller, and the
  // picture no longer reads from the users to the origin.
  if (services.length > limits.fullGraph) {
    const callersOf = new Map<number, RawEdge[]>();
    for (const e of edges.values()) callersOf.set(e.to, [...(callersOf.get(e.to) ?? []), e]);
    const reached = (i: number): boolean =>
      entryCalls.has(i) || (callersOf.get(i) ?? []).some((e) => visible.has(e.from));
    for (const start of [...visible].sort((a, b) => a - b)) {
      let i = start;
      const seen = new Set<number>();
      while (!reached(i) && !seen.has(i)) {
        seen.add(i);
        const best = [...(callersOf.get(i) ?? [])].sort(
          (a, b) => (b.calls ?? 0) - (a.calls ?? 0) || a.from - b.from,
        )[0];
        if (best === undefined) break;
        visible.add(best.from);
        i = best.from;
      }
    }
  }

  // Folded neighbours: each drawn service's callees that are not drawn.
  const hiddenCallees = new Map<number, Set<number>>();
  const hiddenCalls = new Map<number, number | undefined>();
  const adjacent = new Set<number>();
  for (const e of edges.values()) {
    if (visible.has(e.from) && !visible.has(e.to)) {
      const set = hiddenCallees.get(e.from) ?? new Set<number>();
      set.add(e.to);
      hiddenCallees.set(e.from, set);
      const prior = hiddenCalls.has(e.from) ? hiddenCalls.get(e.from) : 0;
      hiddenCalls.set(e.from, prior === undefined || e.calls === undefined ? undefined : prior + e.calls);
      adjacent.add(e.to);
    }
  }

  const order = [...visible].sort(
    (a, b) =>
      ROLE_ORDER[(services[a] as ServiceHealth).role] - ROLE_ORDER[(services[b] as ServiceHealth).role] ||
      cmp(labels.get(services[a] as ServiceHealth) ?? '', labels.get(services[b] as ServiceHealth) ?? ''),
  );
  const idOf = new Map(order.map((i, n) => [i, `s${n}`]));
  const nodes: ViewNode[] = [];
  const out: ViewEdge[] = [];
  const entries = [...entryCalls.keys()].filter((i) => visible.has(i)).sort((a, b) => a - b);
  if (entries.length > 0) nodes.push({ kind: 'users', id: 'users' });
  for (const i of order) {
    const health = services[i] as ServiceHealth;
    nodes.push({
      kind: 'service',
      id: idOf.get(i) as string,
      label: labels.get(health) ?? health.service,
      health,
      failures: failureFigures(finding, health),
      rootCauseRank: rankOf.get(i),
      onPath: onPath.has(i),
    });
  }
  for (const i of entries) {
    out.push({
      from: 'users',
      to: idOf.get(i) as string,
      calls: entryCalls.get(i),
      faults: undefined,
      exact: edgesFrom === 'graph',
      onPath: onPath.has(i),
      kind: 'entry',
    });
  }
  const sortedEdges = [...edges.values()].sort((a, b) => a.from - b.from || a.to - b.to);
  for (const e of sortedEdges) {
    const from = idOf.get(e.from);
    const to = idOf.get(e.to);
    if (from === undefined || to === undefined) continue;
    out.push({
      from,
      to,
      calls: e.calls,
      faults: e.faults,
      exact: edgesFrom === 'graph',
      onPath: pathEdges.has(`${e.from}>${e.to}`),
      kind: 'call',
    });
  }
  for (const i of order) {
    const hidden = hiddenCallees.get(i);
    if (!hidden || hidden.size === 0) continue;
    const parent = idOf.get(i) as string;
    const id = `${parent}h`;
    const anomalous = [...hidden].filter((h) => services[h]?.role !== 'healthy').length;
    nodes.push({ kind: 'collapsed', id, count: hidden.size, anomalous, parent });
    out.push({
      from: parent,
      to: id,
      calls: hiddenCalls.get(i),
      faults: undefined,
      exact: edgesFrom === 'graph',
      onPath: false,
      kind: 'collapsed',
    });
  }
  const linked = new Set(out.flatMap((e) => [e.from, e.to]));
  const unlinked = nodes.filter((n) => n.kind === 'service' && !linked.has(n.id)).map((n) => n.id);
  return {
    nodes,
    edges: out,
    unlinked,
    services: services.length,
    shown: visible.size,
    collapsed: adjacent.size,
    elsewhere: services.length - visible.size - adjacent.size,
    edgesFrom,
  };
}

/**
 * The finding's services, plus stand-ins for services its chain, paths and root causes name but
 * `services` lacks (a stored finding too large for its table keeps only part of that list).
 */
function withPlaceholders(f: Finding): readonly ServiceHealth[] {
  const labels = serviceLabels(f.services);
  const known = new Set(labels.values());
  const extra = new Map<string, ServiceHealth>();
  const add = (name: string, type: string, role: ServiceRole, faultRate = 0, p99 = 0) => {
    if (known.has(name) || extra.has(name)) return;
    const latency = { mean: 0, p50: 0, p90: 0, p99 };
    extra.set(name, {
      service: name,
      type,
      key: `${name}|${type}`,
      role,
      requests: 0,
      requestRate: 0,
      faultRate,
      errorRate: 0,
      throttleRate: 0,
      latency,
      unhealthy: role !== 'healthy',
      anomalous: role !== 'healthy',
      signals: [],
      selfShare: role === 'origin' ? 1 : 0,
    });
  };
  for (const r of f.rootCauses) add(r.service, r.type, 'origin');
  for (const c of f.dependencyChain) add(c.service, c.type, c.role, c.faultRate, c.p99);
  for (const p of f.cascade.paths) for (const s of p.services) add(s, 'unknown', 'propagator');
  return extra.size === 0 ? f.services : [...f.services, ...extra.values()];
}

function addIf(set: Set<number>, i: number | undefined): void {
  if (i !== undefined) set.add(i);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
