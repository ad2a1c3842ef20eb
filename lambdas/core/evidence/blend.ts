// Blends the independent evidence — X-Ray's per-trace root causes and recent changes — into the
// engine's final ranking. Pure: the same inputs give the same bytes; with no evidence the input is
// returned as is.
//
// The factor on every candidate the graph ranks:
//   score' = score × (1 + traceWeight × share) × (1 + changeWeight × recency)
// - share: the fraction of traces with a root cause that X-Ray blames on the service (0–1); used
//   only when at least `minTraces` traces have a root cause. At most ×(1 + traceWeight) = ×1.5.
// - recency: 1 for a change to the service from `changeFullMinutes` before the window's start up
//   to its end, falling linearly to 0 at `changeLookbackMinutes` before the start; the newest
//   change counts. At most ×(1 + changeWeight) = ×1.2 (a larger weight was measured on the public
//   change sets and moved more innocent releases in front of clear answers than it lifted).
// Beyond the factor, evidence can add a candidate the graph does not rank: a service X-Ray names
// in most traces with a root cause (namedByTraces below), and the change rules of
// change-rules.ts (one change explaining several origins, a changed callee of a service degraded
// on its own, the changed services nearest the alarm when the graph is silent).

import type {
  ChangeNearStart,
  EvidenceNote,
  ExemplarDetail,
  Finding,
  Recommendation,
  RootCause,
  RootCauseTraces,
  ServiceHealth,
  TimeWindow,
} from '../model.ts';
import { round } from '../stats.ts';
import { type ChangeEvent, type ChangeEvents, resourceNames, servicesTouched } from './change-events.ts';
import { applyChangeRules, callersOf, type GraphContext } from './change-rules.ts';
import { bounded, cmp } from './fields.ts';
import { exemplarFromTraces } from './trace-detail.ts';
import { type ServiceVote, type TraceSummaries, type TraceVotes, voteByService } from './trace-summaries.ts';
import { describeWhen } from './when.ts';

export interface EvidenceConfig {
  /** Weight of X-Ray's trace vote: a service blamed by every trace gains ×(1 + traceWeight). */
  readonly traceWeight: number;
  /** Fewer traces with a root cause than this are too few to weigh (they are still reported). */
  readonly minTraces: number;
  /** Weight of a change right before the start: ×(1 + changeWeight) at most. */
  readonly changeWeight: number;
  /** Changes up to this many minutes before the window's start count fully. */
  readonly changeFullMinutes: number;
  /** Changes older than this many minutes before the start do not count (CloudTrail is read this far back). */
  readonly changeLookbackMinutes: number;
  /** How many changes the finding lists. */
  readonly maxChanges: number;
}

export const DEFAULT_EVIDENCE_CONFIG: EvidenceConfig = {
  traceWeight: 0.5,
  minTraces: 3,
  changeWeight: 0.2,
  changeFullMinutes: 15,
  changeLookbackMinutes: 60,
  maxChanges: 20,
};

/** What the workflow or the CLI read besides the graph; every part optional. */
export interface AnalysisEvidence {
  readonly traces?: TraceSummaries;
  /** One exemplar in detail (BatchGetTraces), for the root cause whose exemplars include it. */
  readonly exemplar?: ExemplarDetail;
  /** A BatchGetTraces response (or its pages): each root cause's first exemplar found in it is detailed. */
  readonly exemplarTraces?: unknown;
  readonly changes?: ChangeEvents;
  /** Resource names or ARNs → graph service names, for changes whose resource is named otherwise. */
  readonly serviceMapping?: Readonly<Record<string, readonly string[]>>;
  /** For console links to the exemplar traces. */
  readonly region?: string;
  readonly config?: Partial<EvidenceConfig>;
}

export interface EvidenceResult {
  readonly rootCauses: readonly RootCause[];
  /** Old rank → new rank. */
  readonly ranks: ReadonlyMap<number, number>;
  readonly notes: readonly EvidenceNote[];
  readonly changes: readonly ChangeNearStart[] | undefined;
  readonly votes: TraceVotes | undefined;
}

export function resolveEvidenceConfig(overrides: Partial<EvidenceConfig> = {}): EvidenceConfig {
  const cfg = { ...DEFAULT_EVIDENCE_CONFIG, ...overrides };
  for (const [k, v] of Object.entries(cfg)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`evidence config "${k}" must be a number ≥ 0, got ${String(v)}`);
    }
  }
  if (cfg.changeFullMinutes > cfg.changeLookbackMinutes) {
    throw new RangeError('evidence config "changeFullMinutes" must not exceed "changeLookbackMinutes"');
  }
  return cfg;
}

/** Re-ranks the engine's final root causes with the evidence, and says how the evidence bears on them. */
export function applyEvidence(
  rootCauses: readonly RootCause[],
  evidence: AnalysisEvidence,
  context: {
    readonly window: TimeWindow | null;
    readonly services: readonly string[];
    /** The graph's calls and the finding's service health: lets a change add or move a candidate. */
    readonly graph?: { readonly calls: GraphContext; readonly health: readonly ServiceHealth[] };
  },
): EvidenceResult {
  const cfg = resolveEvidenceConfig(evidence.config);
  const votes = evidence.traces ? voteByService(evidence.traces.summaries) : undefined;
  const weighed = votes !== undefined && votes.tracesWithRootCause >= cfg.minTraces;
  const voteOf = new Map((votes?.services ?? []).map((v) => [v.service, v]));
  const known = new Set([
    ...context.services,
    ...rootCauses.flatMap((r) => [r.service, ...r.blastRadius.atRisk]),
    ...(context.graph?.calls.scope ?? []),
  ]);
  // Only changes to services this finding may name are kept, with only those services and the
  // resources that stand for them: a scoped reader never sees who changed what elsewhere.
  const scope = context.graph?.calls.scope ?? known;
  const changes = evidence.changes
    ? nearStart(evidence.changes.events, context.window, cfg, known, evidence.serviceMapping ?? {})
        .map((w) => ({ ...w, change: withinScope(w.change, scope, evidence.serviceMapping ?? {}) }))
        .filter((w) => w.change.services.length > 0)
    : undefined;

  const rescored = rootCauses.map((r) => {
    const vote = voteOf.get(r.service);
    const own = changes?.filter((c) => c.change.services.includes(r.service)) ?? [];
    const recency = Math.max(0, ...own.map((c) => c.recency));
    const factor =
      (1 + (weighed ? cfg.traceWeight * (vote?.share ?? 0) : 0)) * (1 + cfg.changeWeight * recency);
    const traces = vote ? tracesOf(vote, evidence) : undefined;
    const next: RootCause = {
      ...r,
      score: round(r.score * factor, 4),
      ...(traces ? { traces } : {}),
      ...(own.length > 0 ? { changes: own.map((c) => c.change).slice(0, 3) } : {}),
    };
    return next;
  });
  const named = weighed && votes ? namedByTraces(rescored, votes, cfg, evidence, context.graph?.calls) : [];
  const withNamed = [...rescored, ...named];
  const ruled =
    changes && context.graph
      ? applyChangeRules(withNamed, changes, context.graph.health, context.graph.calls)
      : withNamed;
  const order = ruled.map((r, i) => ({ r, i })).sort((a, b) => b.r.score - a.r.score || a.i - b.i);
  const ranks = new Map<number, number>();
  const reranked = order.map(({ r }, i) => {
    if (r.rank > 0) ranks.set(r.rank, i + 1);
    return { ...r, rank: i + 1 };
  });
  const notes = [
    ...traceNotes(rootCauses, reranked, votes, weighed, cfg),
    ...changeNotes(reranked, changes?.map((c) => c.change) ?? []),
  ];
  return {
    rootCauses: reranked,
    ranks,
    notes,
    changes: changes?.map((c) => c.change).slice(0, cfg.maxChanges),
    votes,
  };
}

/**
 * The finding with the evidence applied: root causes re-ranked, cascade paths renumbered with
 * them, a rollback first when the top root cause changed right before the start, and the notes.
 * With no evidence it returns the very same object.
 */
export function withEvidence<F extends Omit<Finding, 'summary'>>(
  finding: F,
  evidence: AnalysisEvidence | undefined,
  graph?: GraphContext,
): F {
  if (evidence === undefined || (evidence.traces === undefined && evidence.changes === undefined))
    return finding;
  const result = applyEvidence(finding.rootCauses, evidence, {
    window: finding.window,
    services: finding.services.map((s) => s.service),
    ...(graph ? { graph: { calls: graph, health: finding.services } } : {}),
  });
  const paths = finding.cascade.paths
    .map((p, i) => ({ p: { ...p, rank: result.ranks.get(p.rank) ?? p.rank }, i }))
    .sort((a, b) => a.p.rank - b.p.rank || a.i - b.i)
    .map(({ p }) => p);
  const rollback = rollbackFor(result.rootCauses[0], resolveEvidenceConfig(evidence.config));
  return {
    ...finding,
    rootCauses: result.rootCauses,
    cascade: { ...finding.cascade, paths },
    recommendations: rollback ? [rollback, ...finding.recommendations] : finding.recommendations,
    ...(result.votes
      ? { traces: { read: result.votes.tracesRead, withRootCause: result.votes.tracesWithRootCause } }
      : {}),
    ...(result.changes ? { changes: result.changes } : {}),
    ...(result.notes.length > 0 ? { evidenceNotes: result.notes } : {}),
  };
}

/** The CloudWatch console's view of one trace in the region (commercial, China and GovCloud partitions). */
export function traceConsoleUrl(region: string, traceId: string): string {
  const host = region.startsWith('cn-')
    ? `${region}.console.amazonaws.cn`
    : region.startsWith('us-gov-')
      ? 'console.amazonaws-us-gov.com'
      : `${region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${region}#xray:traces/${encodeURIComponent(traceId)}`;
}

function tracesOf(vote: ServiceVote, evidence: AnalysisEvidence): RootCauseTraces {
  const fromTraces =
    evidence.exemplarTraces === undefined
      ? undefined
      : vote.exemplars
          .map((id) => exemplarFromTraces(evidence.exemplarTraces, id, vote.service))
          .find((d) => d !== undefined);
  const detail =
    evidence.exemplar && vote.exemplars.includes(evidence.exemplar.traceId)
      ? evidence.exemplar
      : fromTraces
        ? fromTraces
        : vote.message !== undefined && vote.exemplars[0] !== undefined
          ? {
              traceId: vote.exemplars[0],
              ...(vote.exceptions[0] ? { exception: vote.exceptions[0].name } : {}),
              message: vote.message,
            }
          : undefined;
  return {
    traces: vote.traces,
    share: vote.share,
    exceptions: vote.exceptions,
    exemplars: vote.exemplars.map((traceId) => ({
      traceId,
      ...(evidence.region ? { url: traceConsoleUrl(evidence.region, traceId) } : {}),
    })),
    ...(detail ? { detail } : {}),
  };
}

/** X-Ray must name a service in at least this share of the traces with a root cause to add it. */
const TRACE_MAJORITY = 0.5;

/**
 * Services that X-Ray names as the root cause in most traces but the graph does not rank (a few
 * failing requests in a big service leave its averages flat) enter the ranking, scored as the
 * graph's first answer × the share of traces that name them: behind it unless every trace does.
 */
function namedByTraces(
  ranked: readonly RootCause[],
  votes: TraceVotes,
  cfg: EvidenceConfig,
  evidence: AnalysisEvidence,
  graph: GraphContext | undefined,
): RootCause[] {
  const listed = new Set(ranked.map((r) => r.service));
  const top = ranked.reduce((best, r) => Math.max(best, r.score), 0);
  return votes.services
    .filter(
      (v) =>
        v.share >= TRACE_MAJORITY &&
        v.traces >= cfg.minTraces &&
        !listed.has(v.service) &&
        (graph === undefined || graph.scope.has(v.service)),
    )
    .map((v) => {
      const exception = v.exceptions[0] ? ` (${v.exceptions[0].name} × ${v.exceptions[0].count})` : '';
      return {
        rank: 0,
        service: v.service,
        type: 'service',
        kind: 'traces',
        kinds: ['traces'],
        score: round(top > 0 ? top * v.share : 1e-3 * v.share, 6),
        confidence: round(0.5 * v.share, 2),
        impactScore: 0,
        evidence: [
          {
            signal: 'faults',
            text: `X-Ray names ${v.service} as the root cause in ${v.traces} of ${votes.tracesWithRootCause} traces with a root cause${exception}, though its averages in the graph do not stand out`,
            incident: v.share,
            requests: v.traces,
          },
        ],
        blastRadius: graph
          ? callersOf(v.service, graph)
          : { affected: [], atRisk: [], entryPoints: [], entryTrafficShare: 0 },
        traces: tracesOf(v, evidence),
      };
    });
}

/** Longest name, user or resource a listed change keeps: the finding stays small whatever CloudTrail says. */
const MAX_NAME_CHARS = 256;

interface Weighed {
  readonly change: ChangeNearStart;
  readonly recency: number;
}

function nearStart(
  events: readonly ChangeEvent[],
  window: TimeWindow | null,
  cfg: EvidenceConfig,
  known: ReadonlySet<string>,
  mapping: Readonly<Record<string, readonly string[]>>,
): Weighed[] {
  if (window === null) return [];
  const start = Date.parse(window.start);
  const end = Date.parse(window.end);
  return events
    .filter((e) => e.at <= end && e.at >= start - cfg.changeLookbackMinutes * 60_000)
    .sort((a, b) => b.at - a.at || cmp(a.id, b.id))
    .map((e) => {
      const before = (start - e.at) / 60_000;
      const span = cfg.changeLookbackMinutes - cfg.changeFullMinutes;
      const recency =
        before <= cfg.changeFullMinutes
          ? 1
          : span > 0
            ? Math.max(0, 1 - (before - cfg.changeFullMinutes) / span)
            : 0;
      return {
        recency,
        change: {
          at: new Date(e.at).toISOString(),
          minutesBeforeStart: round(before, 1),
          what: e.what,
          eventName: bounded(e.eventName, MAX_NAME_CHARS),
          who: bounded(e.who, MAX_NAME_CHARS),
          resources: e.resources.slice(0, 3).map((r) => bounded(r, MAX_NAME_CHARS)),
          services: servicesTouched(e, known, mapping),
        },
      };
    });
}

function withinScope(
  change: ChangeNearStart,
  scope: ReadonlySet<string>,
  mapping: Readonly<Record<string, readonly string[]>>,
): ChangeNearStart {
  const standsForScope = (resource: string) =>
    resourceNames(resource).some((n) => scope.has(n) || (mapping[n] ?? []).some((m) => scope.has(m)));
  return {
    ...change,
    services: change.services.filter((s) => scope.has(s)),
    resources: change.resources.filter(standsForScope),
  };
}

function traceNotes(
  before: readonly RootCause[],
  after: readonly RootCause[],
  votes: TraceVotes | undefined,
  weighed: boolean,
  cfg: EvidenceConfig,
): EvidenceNote[] {
  if (votes === undefined) return [];
  const top = votes.services[0];
  if (!weighed || top === undefined) {
    return [
      {
        kind: 'traces-inconclusive',
        text: `${votes.tracesWithRootCause} of ${votes.tracesRead} traces read have a root cause in X-Ray: too few to weigh (at least ${cfg.minTraces}).`,
      },
    ];
  }
  const graphTop = before[0];
  const said = `X-Ray blames ${top.service} in ${top.traces} of ${votes.tracesWithRootCause} traces with a root cause`;
  if (graphTop === undefined)
    return [{ kind: 'traces-disagree', text: `${said}; the graph finds no root cause.` }];
  if (graphTop.service === top.service) {
    return [{ kind: 'traces-agree', text: `Traces agree: ${said}, the graph's first root cause.` }];
  }
  const moved =
    after[0] && after[0].service !== graphTop.service ? ` The traces move ${after[0].service} first.` : '';
  const ranked = after.find((r) => r.service === top.service);
  const where = ranked ? `ranks it #${ranked.rank}` : 'does not rank it';
  return [
    {
      kind: 'traces-disagree',
      text: `Traces disagree: ${said}; the graph ranks ${graphTop.service} first and ${where}.${moved}`,
    },
  ];
}

function changeNotes(rootCauses: readonly RootCause[], changes: readonly ChangeNearStart[]): EvidenceNote[] {
  const top = rootCauses[0];
  const mine = top?.changes?.[0];
  if (!top) return [];
  if (!mine) {
    // A caller on the path changed: its calls to the root cause may be what broke.
    const callers = new Set(top.blastRadius.affected.filter((s) => s !== top.service));
    const near = changes.find((c) => c.services.some((s) => callers.has(s)));
    const who = near?.services.find((s) => callers.has(s));
    if (!near || who === undefined) return [];
    return [
      {
        kind: 'change-near-start',
        text: `${who}, a caller on the path from ${top.service} to the users, changed ${describeWhen(near)}: ${near.what} (${near.eventName}) by ${near.who}. Check whether the change touched its calls to ${top.service}.`,
      },
    ];
  }
  return [
    {
      kind: 'change-near-start',
      text: `${top.service} changed ${describeWhen(mine)}: ${mine.what} (${mine.eventName}) by ${mine.who}.${changes.length > 1 ? ` ${changes.length} changes near the start in all.` : ''}`,
    },
  ];
}

/** A rollback comes first when the top root cause changed within `changeFullMinutes` of the start. */
function rollbackFor(top: RootCause | undefined, cfg: EvidenceConfig): Recommendation | undefined {
  const c = top?.changes?.[0];
  if (!top || !c || c.minutesBeforeStart > cfg.changeFullMinutes) return undefined;
  return {
    service: top.service,
    action: 'rollback',
    text: `${top.service} changed ${describeWhen(c)} (${c.what}, ${c.eventName} by ${c.who} at ${c.at}): roll it back first, then look at the numbers below.`,
  };
}
