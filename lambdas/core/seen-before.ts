// "Seen before" (issue 21 §3): whether a new finding looks like a past incident — the same root
// cause service, or the same alarmed service with an overlapping cascade — and which one. Pure: the
// store finds the candidates through indexes within a bounded lookback; this only chooses.

/** How far back a past incident counts, by default. */
export const DEFAULT_SEEN_BEFORE_DAYS = 90;
/** Candidates read per lookup (each index query reads at most this many). */
export const MAX_SEEN_BEFORE_CANDIDATES = 10;

/** A past finding as the store found it, with its incident and on-call's verdict when there are. */
export interface PastFinding {
  readonly analysisId: string;
  /** ISO-8601: the finding's time. */
  readonly at: string;
  /** The alarmed service it is filed under. */
  readonly service: string;
  /** What the analysis named first. */
  readonly rootCause: string;
  readonly cascade: readonly string[];
  /** The root cause as on-call confirmed it, when a verdict names one. */
  readonly confirmed?: {
    readonly service: string;
    readonly verdict: 'right' | 'wrong' | 'partly';
    readonly by: string;
  };
  readonly incident?: {
    readonly incidentId: string;
    readonly status: 'OPEN' | 'RESOLVED' | 'EXPIRED' | 'MERGED';
    readonly openedAt: string;
    /** When every alarm was back to OK (a RESOLVED incident). */
    readonly resolvedAt?: string;
  };
}

/** What a finding and its message say when it looks like a past incident. */
export interface SeenBefore {
  readonly analysisId: string;
  readonly incidentId?: string;
  /** ISO-8601: when the past one happened (its incident opened, else its finding's time). */
  readonly at: string;
  /** The past root cause: on-call's when confirmed, else the analysis'. */
  readonly rootCause: string;
  /** How on-call judged the past analysis; absent without a verdict. */
  readonly verdict?: 'right' | 'wrong' | 'partly';
  readonly confirmedBy?: string;
  /** What the past analysis named first, when on-call said otherwise. */
  readonly analysisSaid?: string;
  /** Minutes from opening to resolution, for a resolved incident. */
  readonly resolvedMinutes?: number;
  readonly match: 'root-cause' | 'alarmed-service';
}

export interface CurrentFinding {
  readonly analysisId: string;
  readonly at: string;
  readonly service: string;
  readonly rootCause: string;
  readonly cascade: readonly string[];
}

/**
 * The most recent past incident the current finding looks like: one whose analysis (or on-call)
 * named the same root cause, or one on the same alarmed service whose cascade overlaps this one. A
 * past finding counts when it is older than the current one and its incident has ended (an open one
 * is the incident the current alarm may be joining).
 */
export function pickSeenBefore(
  current: CurrentFinding,
  past: readonly PastFinding[],
): SeenBefore | undefined {
  const cascade = new Set(current.cascade);
  const eligible = past.filter(
    (p) =>
      p.analysisId !== current.analysisId &&
      p.at < current.at &&
      (p.incident === undefined || p.incident.status !== 'OPEN'),
  );
  const rootOf = (p: PastFinding) => p.confirmed?.service ?? p.rootCause;
  const matchOf = (p: PastFinding): SeenBefore['match'] | undefined =>
    p.rootCause === current.rootCause || p.confirmed?.service === current.rootCause
      ? 'root-cause'
      : p.service === current.service && p.cascade.some((s) => cascade.has(s))
        ? 'alarmed-service'
        : undefined;
  // The most recent look-alike: what on-call remembers, and what was learned from it last.
  const [hit] = eligible
    .filter((p) => matchOf(p) !== undefined)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : a.analysisId < b.analysisId ? 1 : -1));
  const match = hit === undefined ? undefined : matchOf(hit);
  if (hit === undefined || match === undefined) return undefined;
  const inc = hit.incident;
  const resolved =
    inc?.status === 'RESOLVED' && inc.resolvedAt !== undefined
      ? Math.max(0, Math.round((Date.parse(inc.resolvedAt) - Date.parse(inc.openedAt)) / 60_000))
      : undefined;
  const root = rootOf(hit);
  return {
    analysisId: hit.analysisId,
    ...(inc !== undefined ? { incidentId: inc.incidentId } : {}),
    at: inc?.openedAt ?? hit.at,
    rootCause: root,
    ...(hit.confirmed !== undefined ? { verdict: hit.confirmed.verdict, confirmedBy: hit.confirmed.by } : {}),
    ...(root !== hit.rootCause ? { analysisSaid: hit.rootCause } : {}),
    ...(resolved !== undefined && Number.isFinite(resolved) ? { resolvedMinutes: resolved } : {}),
    match,
  };
}
