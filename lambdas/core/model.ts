// The engine's data model: the parsed service graph it reads and the Finding it writes.
// One Finding shape serves the CLI, DynamoDB, SNS and the API (docs/analysis.md, "The Finding").

import type { SeenBefore } from './seen-before.ts';

/** Request statistics of a node or an edge, as X-Ray reports them (all counts, seconds). */
export interface RequestStats {
  readonly total: number;
  readonly ok: number;
  /** 4xx other than throttles. */
  readonly errors: number;
  /** 429. */
  readonly throttles: number;
  /** 5xx. */
  readonly faults: number;
  /** Sum of response times in seconds; mean = totalTime / total. */
  readonly totalTime: number;
  readonly histogram: Histogram;
}

/**
 * Response times as X-Ray bins them: `counts[i]` requests took `values[i]` seconds. Values are
 * ascending and distinct (equal values merged), counts above 0. Two flat arrays rather than an
 * object per bin: a 10,000-service graph holds about a million bins.
 */
export interface Histogram {
  readonly values: readonly number[];
  readonly counts: readonly number[];
}

export interface GraphEdge {
  /** Index of the callee in `ServiceGraph.nodes`. */
  readonly to: number;
  /** The caller's view of its calls to the callee; undefined when X-Ray gave none (async links). */
  readonly stats: RequestStats | undefined;
  readonly async: boolean;
}

export interface GraphNode {
  /** Stable identity within and across windows: `Name` plus `Type`. */
  readonly key: string;
  readonly name: string;
  readonly type: string;
  readonly referenceId: number;
  readonly root: boolean;
  /** `client` nodes stand for the users calling an entry point. */
  readonly isClient: boolean;
  /** Inferred nodes (tables, queues, remote endpoints) have no segments of their own. */
  readonly inferred: boolean;
  readonly stats: RequestStats | undefined;
  readonly edges: readonly GraphEdge[];
}

export interface TimeWindow {
  /** ISO-8601. */
  readonly start: string;
  readonly end: string;
}

export interface ServiceGraph {
  readonly window: TimeWindow | undefined;
  /** Sorted by key, so that every later step is independent of input order. */
  readonly nodes: readonly GraphNode[];
  /** Edges whose callee was not in the graph (truncated pages); kept so that nothing is lost silently. */
  readonly danglingEdges: number;
}

export interface GraphSnapshot {
  readonly incident: ServiceGraph;
  readonly baseline: ServiceGraph | undefined;
  /** Why the baseline is not the window right before the incident (the workflow's CollectGraph says). */
  readonly baselineNote?: string;
}

export type FindingStatus = 'COMPLETED' | 'NO_DATA' | 'FAILED';
export type ServiceRole = 'origin' | 'propagator' | 'affected' | 'healthy';
export type Signal = 'faults' | 'throttles' | 'errors' | 'latency';

export interface Trigger {
  readonly source: 'alarm' | 'api' | 'cli';
  readonly service?: string;
  readonly alarmName?: string;
}

/** CloudWatch figures of a service (the workflow's Enrich step): CPU above `cpuPercent` is hot. */
export interface ServiceMetrics {
  readonly cpuPercent?: number | undefined;
}

export interface ServiceHealth {
  readonly service: string;
  readonly type: string;
  readonly key: string;
  readonly role: ServiceRole;
  readonly requests: number;
  readonly requestRate: number;
  readonly faultRate: number;
  readonly errorRate: number;
  readonly throttleRate: number;
  readonly latency: LatencySummary;
  readonly baseline?: {
    readonly requests: number;
    readonly faultRate: number;
    readonly errorRate: number;
    readonly throttleRate: number;
    readonly latency: LatencySummary;
  };
  /** Average CPU % over the window, when CloudWatch figures were given for this service. */
  readonly cpuPercent?: number;
  readonly unhealthy: boolean;
  readonly anomalous: boolean;
  /** Signals on which this service is anomalous, strongest first. */
  readonly signals: readonly Signal[];
  /** Share (0–1) of the anomaly not explained by its callees; 1 for an origin with no anomalous callees. */
  readonly selfShare: number;
}

export interface LatencySummary {
  /** Seconds; 0 when the node reported no requests. */
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
}

export interface Evidence {
  readonly signal: Signal | 'new-dependency' | 'link' | 'change';
  /** One plain sentence with the numbers. */
  readonly text: string;
  readonly incident: number;
  readonly baseline?: number;
  readonly requests: number;
}

export interface BlastRadius {
  /** Anomalous services upstream of the root cause (callers, transitively). */
  readonly affected: readonly string[];
  /** Every service upstream, anomalous or not. */
  readonly atRisk: readonly string[];
  readonly entryPoints: readonly string[];
  /** Share (0–1) of entry-point traffic whose calls reach the root cause. */
  readonly entryTrafficShare: number;
}

export interface RootCause {
  readonly rank: number;
  readonly service: string;
  readonly type: string;
  /** What went wrong, e.g. `faults`, `latency`, `new-dependency`, `slow-link`: the strongest kind. */
  readonly kind: string;
  /** Every kind of evidence found against this service, strongest first; `kind` is the first. */
  readonly kinds: readonly string[];
  /** Present when the fault sits on one caller's calls rather than in the service. */
  readonly via?: string;
  readonly score: number;
  readonly confidence: number;
  readonly impactScore: number;
  readonly evidence: readonly Evidence[];
  readonly blastRadius: BlastRadius;
  /** X-Ray's per-trace root causes that name this service, when trace summaries were read. */
  readonly traces?: RootCauseTraces;
  /** Changes to this service near the start, newest first, when change events were read. */
  readonly changes?: readonly ChangeNearStart[];
}

/** What X-Ray's trace summaries say about one root cause. */
export interface RootCauseTraces {
  /** Traces in which X-Ray names this service as a root cause (fault, error or response time). */
  readonly traces: number;
  /** Share (0–1) of the traces with any root cause. */
  readonly share: number;
  /** Most frequent first, with the number of traces that threw each. */
  readonly exceptions: readonly { readonly name: string; readonly count: number }[];
  /** Up to 3, faulty first; `url` opens the trace in the CloudWatch console when the region is known. */
  readonly exemplars: readonly TraceExemplar[];
  /** One exemplar in detail (BatchGetTraces, or the summary's exception message), bounded in size. */
  readonly detail?: ExemplarDetail;
}

export interface TraceExemplar {
  readonly traceId: string;
  readonly url?: string;
}

export interface ExemplarDetail {
  readonly traceId: string;
  readonly exception?: string;
  /** At most 300 characters. */
  readonly message?: string;
  /** The failing segment or subsegment, e.g. `DynamoDB UpdateItem` or `POST /charge`; at most 120 characters. */
  readonly operation?: string;
}

/** A change to a running service shortly before (or during) the incident window (CloudTrail). */
export interface ChangeNearStart {
  /** ISO-8601. */
  readonly at: string;
  /** Minutes before the window's start; negative when inside the window. */
  readonly minutesBeforeStart: number;
  readonly what: string;
  readonly eventName: string;
  readonly who: string;
  /** The resource names the event carries (first 3). */
  readonly resources: readonly string[];
  /** Graph services it touched (by name, ARN or the configured mapping). */
  readonly services: readonly string[];
}

/** How the independent evidence bears on the ranking; one plain sentence each. */
export interface EvidenceNote {
  readonly kind: 'traces-agree' | 'traces-disagree' | 'traces-inconclusive' | 'change-near-start';
  readonly text: string;
}

export interface ChainEntry {
  readonly service: string;
  readonly type: string;
  readonly depth: number;
  readonly parent: string | null;
  readonly role: ServiceRole;
  readonly faultRate: number;
  readonly p99: number;
}

export interface CascadePath {
  /** Rank of the root cause this path starts from. */
  readonly rank: number;
  readonly origin: string;
  /** From the origin up through callers to an entry point. */
  readonly services: readonly string[];
}

export interface Recommendation {
  readonly service: string;
  readonly action:
    | 'circuit-breaker'
    | 'bulkhead'
    | 'timeout'
    | 'rate-limit'
    | 'retry-budget'
    | 'rollback'
    | 'investigate';
  readonly text: string;
}

export interface Finding {
  readonly analysisId: string;
  readonly status: FindingStatus;
  readonly method: string;
  readonly trigger: Trigger;
  readonly window: TimeWindow | null;
  readonly baselineWindow: TimeWindow | null;
  readonly rootCauses: readonly RootCause[];
  readonly dependencyChain: readonly ChainEntry[];
  readonly cascade: { readonly paths: readonly CascadePath[] };
  readonly services: readonly ServiceHealth[];
  readonly recommendations: readonly Recommendation[];
  readonly systemHealth: number;
  readonly summary: string;
  readonly engineVersion: string;
  readonly error?: string;
  /** Trace summaries read for this analysis, when any were. */
  readonly traces?: { readonly read: number; readonly withRootCause: number };
  /** Every change near the start, newest first (at most 20), when change events were read. */
  readonly changes?: readonly ChangeNearStart[];
  readonly evidenceNotes?: readonly EvidenceNote[];
  /** Issue 10 item 7: present when the graph was incomplete (edges to ids missing from it). */
  readonly dataQuality?: DataQuality;
  /** Issue 21: a past incident this one looks like (added when stored; never changes the ranking). */
  readonly seenBefore?: SeenBefore;
}

/** Issue 10 item 7: how complete the incident graph was; root-cause confidence is scaled by it. */
export interface DataQuality {
  /** Edges whose callee id is not in the graph (truncated pages, a partial export): dropped. */
  readonly danglingEdges: number;
  /** Share (0–1) of the graph's edges that could be followed. */
  readonly completeness: number;
  /**
   * Effective requests (n1·n0 / (n1 + n0)) behind the first root cause's strongest evidence, when
   * too few to localise it reliably (sparse or sampled traces, a short baseline).
   */
  readonly effectiveRequests?: number;
  /** Why the baseline is not the window right before the incident (an outage then; see baseline-choice.ts). */
  readonly baselineNote?: string;
  /** The first root cause failed most of its requests in the baseline window: an outage, not its normal. */
  readonly baselineOutage?: { readonly service: string; readonly failed: number; readonly requests: number };
  readonly warning: string;
}
