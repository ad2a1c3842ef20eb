// What changed, as a reason in its own right (issue 17): rules that can add a changed service to
// the ranking or move it first, each explainable for any graph. Pure; the caller gives the graph's
// calls by service name and the changes already weighed by recency.
//
// 1. A change that explains the graph's answer: when two or more services look like independent
//    origins and one changed service is each of them or is called (directly or not) by each of
//    them, that change comes first; and when the graph's first answer is unsure and depends on a
//    changed service it ranks lower, that one comes first, unless the answer was released too.
//    1b. When the graph's unsure first answer, and every line above a released service, is a
//    fault in the calls around services (a link) or an endpoint the account does not run, a
//    released service whose own figures degraded comes first: a release explains its own
//    degradation; no release explains a network, a proxy or a third party.
// 2. A changed callee of a service degraded on its own (an origin) is a candidate even when its own figures look healthy:
//    a release that breaks a contract (a wrong field, a wrong value) shows as failures in the
//    caller while the callee answers quickly. It is listed right after the caller it would explain.
// 3. The graph silent, changes in the lookback: the changed services nearest the alarmed service
//    (or the entry points) are listed, by call distance then recency, with a low confidence.
// A release of a service the graph does not connect to the degradation moves nothing.

import { LINK_KINDS } from '../links.ts';
import type { BlastRadius, ChangeNearStart, RootCause, ServiceHealth } from '../model.ts';
import { round } from '../stats.ts';
import { isWeakEvidence } from '../weak-evidence.ts';
import { describeWhen } from './when.ts';

/** The graph as the evidence rules need it: calls by service name, and where the analysis looks from. */
export interface GraphContext {
  /** Each service's callees, by name. */
  readonly callees: ReadonlyMap<string, readonly string[]>;
  /** Each service's callers, by name (the same calls, the other way). */
  readonly callers: ReadonlyMap<string, readonly string[]>;
  /** The alarmed service, or the entry points for a whole-graph analysis. */
  readonly from: readonly string[];
  /** The alarmed service, when the analysis was scoped to one. */
  readonly alarmed?: string;
  /** Services the analysis may name (its scope); every service when the whole graph is analysed. */
  readonly scope: ReadonlySet<string>;
}

export interface WeighedChange {
  readonly change: ChangeNearStart;
  /** 1 for a change right before or during the window, falling to 0 at the end of the lookback. */
  readonly recency: number;
}

/** Origins within this share of the first one's score look like independent causes of one incident. */
const SIMILAR_ORIGIN = 0.25;
/**
 * A first answer at this confidence or above is one the graph is sure of (on the public sets,
 * right 97–100 % of the time): a release below it does not take its place alone.
 */
const CLEAR_ANSWER = 0.8;
/** A changed callee is listed just behind the degraded caller it would explain. */
const BEHIND_CALLER = 0.9;
/** Confidence of a change listed while the graph shows no degradation: a lead, not a finding. */
const SILENT_CONFIDENCE = 0.2;

/** The ranking with the rules applied, in no particular order (the caller sorts); added services have rank 0. */
export function applyChangeRules(
  ranked: readonly RootCause[],
  changes: readonly WeighedChange[],
  services: readonly ServiceHealth[],
  graph: GraphContext,
): RootCause[] {
  const latest = latestChangePerService(changes, graph.scope);
  if (latest.size === 0) return [...ranked];
  const out = changedCallees(
    releaseOverUntouched(explainsAnswer(ranked, latest, graph), latest),
    latest,
    services,
    graph,
  );
  return out.length > 0 ? out : silentGraph(latest, graph);
}

/** Each changed service in scope with its newest weighed change (changes come newest first). */
function latestChangePerService(
  changes: readonly WeighedChange[],
  scope: ReadonlySet<string>,
): Map<string, WeighedChange> {
  const out = new Map<string, WeighedChange>();
  for (const c of changes) {
    if (c.recency <= 0) continue;
    for (const s of c.change.services) if (scope.has(s) && !out.has(s)) out.set(s, c);
  }
  return out;
}

/** Services reachable from `from` along `next` (callees or callers), with their distance (cycle-safe). */
function distancesFrom(
  from: readonly string[],
  next: ReadonlyMap<string, readonly string[]>,
): Map<string, number> {
  const dist = new Map<string, number>();
  const queue: string[] = [];
  for (const s of from) {
    if (dist.has(s)) continue;
    dist.set(s, 0);
    queue.push(s);
  }
  for (let q = 0; q < queue.length; q++) {
    const s = queue[q] as string;
    const d = dist.get(s) as number;
    for (const c of next.get(s) ?? []) {
      if (dist.has(c)) continue;
      dist.set(c, d + 1);
      queue.push(c);
    }
  }
  return dist;
}

function changeEvidence(service: string, w: WeighedChange, tail: string): RootCause['evidence'][number] {
  const c = w.change;
  return {
    signal: 'change',
    text: `${service} changed ${describeWhen(c)} (${c.what}, ${c.eventName} by ${c.who})${tail}`,
    incident: c.minutesBeforeStart,
    requests: 0,
  };
}

function withChangeFirst(r: RootCause, w: WeighedChange, tail: string, score: number): RootCause {
  return {
    ...r,
    score: round(score, 4),
    kinds: r.kinds.includes('change') ? r.kinds : [...r.kinds, 'change'],
    evidence: [changeEvidence(r.service, w, tail), ...r.evidence],
  };
}

/**
 * Rule 1: a changed service that explains the graph's answer comes first. Either every
 * similar-looking origin (two or more) is that service or calls it, directly or not: one change
 * explains several symptoms. Or the graph's first answer is unsure (under CLEAR_ANSWER) and the
 * similar-looking origins ranked above the changed service all call it: its release is upstream
 * of every symptom the graph ranks higher. A release that nothing above depends on moves nothing.
 */
function explainsAnswer(
  ranked: readonly RootCause[],
  latest: ReadonlyMap<string, WeighedChange>,
  graph: GraphContext,
): RootCause[] {
  const top = ranked[0];
  if (!top) return [...ranked];
  const similar = ranked.filter((r) => r.kind !== 'degraded' && r.score >= SIMILAR_ORIGIN * top.score);
  const reach = new Map<string, Map<string, number>>();
  const reaches = (from: string, to: string): boolean => {
    let d = reach.get(from);
    if (!d) {
      d = distancesFrom([from], graph.callees);
      reach.set(from, d);
    }
    return d.has(to);
  };
  const all = [...new Set(similar.map((r) => r.service))];
  for (const [service, w] of latest) {
    const existing = ranked.find((r) => r.service === service);
    let origins: string[] = [];
    if (all.length >= 2 && all.every((o) => reaches(o, service))) {
      // One change that explains several symptoms (it may be one of them, the answer included).
      if (top.service === service) return [...ranked];
      origins = all;
    } else if (existing && existing !== top && top.confidence < CLEAR_ANSWER && !latest.has(top.service)) {
      // The graph's answer, unsure, depends on a changed service it ranks lower. Not when the
      // answer was released in the same batch: then the graph, not the batch, tells them apart.
      const at = ranked.indexOf(existing);
      const above = [...new Set(similar.filter((r) => ranked.indexOf(r) < at).map((r) => r.service))];
      if (above.every((o) => reaches(o, service))) origins = above;
    }
    if (origins.length === 0) continue;
    const explained = origins.filter((o) => o !== service);
    const tail =
      explained.length === 1
        ? `: it explains ${explained[0]}'s degradation, which depends on it`
        : `: it explains ${explained.length} services that look like separate origins (${explained.slice(0, 3).join(', ')}), which all depend on it`;
    const score = top.score * 1.01 + 1e-4;
    const lead = existing
      ? withChangeFirst(existing, w, tail, score)
      : changeOnly(service, w, tail, score, Math.min(0.8, top.confidence), graph);
    return inFront(
      lead,
      ranked.filter((r) => r !== existing),
    );
  }
  return [...ranked];
}

/** Kinds of line that rest on a service's own figures. */
const OWN_KINDS = new Set(['latency', 'faults', 'errors', 'throttling', 'new-dependency']);

/**
 * Rule 1b: a release whose own figures degraded comes before faults no release touches. When the
 * graph's first answer is unsure, was not released, and every line above a released service is a
 * fault in the calls around services (a link: a network, a proxy, a host in front of or behind a
 * service whose own figures are fine) or an endpoint the account does not run (X-Ray's `remote`
 * nodes), the released service comes first if its own figures show an anomaly and it scores
 * like an origin (within SIMILAR_ORIGIN of the first).
 */
function releaseOverUntouched(
  ranked: readonly RootCause[],
  latest: ReadonlyMap<string, WeighedChange>,
): RootCause[] {
  const top = ranked[0];
  if (!top || top.confidence >= CLEAR_ANSWER || latest.has(top.service)) return [...ranked];
  const untouched = (r: RootCause) =>
    !latest.has(r.service) && (LINK_KINDS.has(r.kind) || r.type === 'remote');
  for (const [i, r] of ranked.entries()) {
    if (latest.has(r.service)) {
      const own = OWN_KINDS.has(r.kind) && r.evidence[0] !== undefined && !isWeakEvidence(r.evidence[0]);
      if (!own || r.score < SIMILAR_ORIGIN * top.score) return [...ranked];
      const w = latest.get(r.service) as WeighedChange;
      const above = [...new Set(ranked.slice(0, i).map((x) => x.service))];
      const tail = `, and its own figures degraded, while ${above.length === 1 ? `${above[0]}'s line is` : `the ${above.length} lines above it are`} in the calls around services (a network, a proxy, an endpoint), which no release explains`;
      return inFront(
        withChangeFirst(r, w, tail, top.score * 1.01 + 1e-4),
        ranked.filter((x) => x !== r),
      );
    }
    if (!untouched(r)) return [...ranked];
  }
  return [...ranked];
}

/**
 * `lead` put in front of the rest. A line a change moved first is at least as likely as the one it
 * displaced, so the two trade confidences when the lead's is the lower: the first line never reads
 * less likely than the second.
 */
function inFront(lead: RootCause, rest: readonly RootCause[]): RootCause[] {
  const first = rest[0];
  if (!first || lead.confidence >= first.confidence) return [lead, ...rest];
  return [
    { ...lead, confidence: first.confidence },
    { ...first, confidence: lead.confidence },
    ...rest.slice(1),
  ];
}

/** Rule 2: a changed callee of a degraded service is listed right behind it. */
function changedCallees(
  ranked: readonly RootCause[],
  latest: ReadonlyMap<string, WeighedChange>,
  services: readonly ServiceHealth[],
  graph: GraphContext,
): RootCause[] {
  // Only a degradation the graph leaves unexplained (an origin's own) needs a changed callee to
  // explain it; a propagator's is accounted for by the callee the graph already blames.
  const degraded = services
    .filter((s) => (s.anomalous || s.unhealthy) && (s.role === 'origin' || s.service === graph.alarmed))
    .map((s) => s.service);
  const listed = new Set(ranked.map((r) => r.service));
  const scoreOf = new Map<string, RootCause>();
  for (const r of ranked) if (!scoreOf.has(r.service)) scoreOf.set(r.service, r);
  const floor = ranked.length > 0 ? Math.min(...ranked.map((r) => r.score)) : 0;
  const added: RootCause[] = [];
  for (const [service, w] of latest) {
    if (listed.has(service)) continue;
    // The degraded services that call it, or itself when it is the alarmed service and degraded.
    const callers = degraded.filter(
      (d) => (graph.callees.get(d) ?? []).includes(service) || (d === service && d === graph.alarmed),
    );
    if (callers.length === 0) continue;
    const best = callers
      .map((d) => scoreOf.get(d))
      .filter((r): r is RootCause => r !== undefined)
      .sort((a, b) => b.score - a.score)[0];
    const ref = best ? best.score * BEHIND_CALLER : floor * BEHIND_CALLER;
    const shown = callers.filter((d) => d !== service);
    const tail =
      shown.length > 0
        ? `, and ${shown.slice(0, 3).join(', ')}, which ${shown.length === 1 ? 'calls' : 'call'} it, ${shown.length === 1 ? 'is' : 'are'} degraded: a release that changed what it answers can fail its callers while its own figures stay flat`
        : ', and it is degraded';
    const confidence = Math.min(0.6, (best?.confidence ?? 0.3) * w.recency);
    added.push(changeOnly(service, w, tail, ref * w.recency, confidence, graph));
  }
  return [...ranked, ...added];
}

/** Rule 3: nothing degraded in the graph; the changed services nearest where the analysis looks. */
function silentGraph(latest: ReadonlyMap<string, WeighedChange>, graph: GraphContext): RootCause[] {
  const dist = distancesFrom(graph.from, graph.callees);
  const far = Number.MAX_SAFE_INTEGER;
  const order = [...latest.entries()].sort(
    ([a, wa], [b, wb]) => (dist.get(a) ?? far) - (dist.get(b) ?? far) || wb.recency - wa.recency || cmp(a, b),
  );
  return order.map(([service, w], i) =>
    changeOnly(
      service,
      w,
      ': the graph shows no degradation, so this is a lead to check, not a finding',
      1e-6 * (order.length - i),
      SILENT_CONFIDENCE * w.recency,
      graph,
    ),
  );
}

function changeOnly(
  service: string,
  w: WeighedChange,
  tail: string,
  score: number,
  confidence: number,
  graph: GraphContext,
): RootCause {
  return {
    rank: 0,
    service,
    type: 'service',
    kind: 'change',
    kinds: ['change'],
    score: round(score, 6),
    confidence: round(Math.max(0.01, confidence), 2),
    impactScore: 0,
    evidence: [changeEvidence(service, w, tail)],
    blastRadius: callersOf(service, graph),
  };
}

/** Everything upstream of a service by the graph's calls: who is at risk if it is the cause. */
export function callersOf(service: string, graph: GraphContext): BlastRadius {
  const seen = new Set(distancesFrom([service], graph.callers).keys());
  seen.delete(service);
  const atRisk = [...seen].sort(cmp);
  return {
    affected: [],
    atRisk,
    entryPoints: atRisk.filter((s) => graph.from.includes(s)),
    entryTrafficShare: 0,
  };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
