// X-Ray GetTraceSummaries responses (or their pages) → per-trace root causes, and their vote per
// service: how many traces X-Ray blames on each service, with which exceptions, and exemplar ids.
//
// X-Ray lists, for each fault, error and slow response of a trace, the services on the path to its
// root cause (`FaultRootCauses[].Services`, `ErrorRootCauses[]…`, `ResponseTimeRootCauses[]…`). The
// deepest service of each list — the last one — is the one X-Ray names as the root cause; its
// `EntityPath` holds the segment and subsegments, with the exceptions they recorded.

import {
  at,
  bounded,
  cmp,
  EvidenceInputError,
  object,
  optBool,
  optList,
  optSeconds,
  optString,
  optTime,
  pagesOf,
} from './fields.ts';

export type CauseKind = 'fault' | 'error' | 'latency';

const MAX_EXCEPTION_NAME_CHARS = 200;
const MAX_RAW_MESSAGE_CHARS = 2000;
export const CAUSE_FIELDS: readonly (readonly [string, CauseKind])[] = [
  ['FaultRootCauses', 'fault'],
  ['ErrorRootCauses', 'error'],
  ['ResponseTimeRootCauses', 'latency'],
];

export interface RootCauseException {
  readonly name: string;
  readonly message?: string;
}

/** One root cause X-Ray found in a trace. */
export interface TraceCause {
  readonly kind: CauseKind;
  readonly service: string;
  readonly type?: string;
  readonly inferred: boolean;
  /** Entity names from the service's segment down to the failing subsegment. */
  readonly entityPath: readonly string[];
  readonly exceptions: readonly RootCauseException[];
  readonly clientImpacting: boolean;
}

export interface TraceSummary {
  readonly id: string;
  /** Epoch ms, when X-Ray gave it. */
  readonly start?: number;
  readonly responseTime?: number;
  readonly hasFault: boolean;
  readonly hasError: boolean;
  readonly hasThrottle: boolean;
  readonly causes: readonly TraceCause[];
}

export interface TraceSummaries {
  /** Distinct traces, sorted by id (a trace repeated across pages keeps its highest Revision). */
  readonly summaries: readonly TraceSummary[];
  /** X-Ray's `TracesProcessedCount`, summed over the pages (traces scanned, not returned). */
  readonly tracesProcessed: number;
}

/** Reads a GetTraceSummaries response (wire JSON, SDK output or AWS CLI output) or a list of its pages. */
export function parseTraceSummaries(input: unknown): TraceSummaries {
  const byId = new Map<string, { summary: TraceSummary; revision: number }>();
  let tracesProcessed = 0;
  for (const { page, path } of pagesOf(input, 'TraceSummaries', 'a GetTraceSummaries response')) {
    const processed = optSeconds(page.TracesProcessedCount, at(path, 'TracesProcessedCount'));
    if (processed !== undefined && !Number.isInteger(processed)) {
      throw new EvidenceInputError(
        at(path, 'TracesProcessedCount'),
        `expected a whole count, got ${processed}`,
      );
    }
    tracesProcessed += processed ?? 0;
    optList(page.TraceSummaries, at(path, 'TraceSummaries')).forEach((raw, i) => {
      const field = at(at(path, 'TraceSummaries'), i);
      const { summary, revision } = readSummary(raw, field);
      const prior = byId.get(summary.id);
      if (prior === undefined || revision >= prior.revision) byId.set(summary.id, { summary, revision });
    });
  }
  const summaries = [...byId.values()].map((s) => s.summary).sort((a, b) => cmp(a.id, b.id));
  return { summaries, tracesProcessed };
}

function readSummary(raw: unknown, field: string): { summary: TraceSummary; revision: number } {
  const s = object(raw, field);
  const id = optString(s.Id, at(field, 'Id'));
  if (id === undefined || id === '')
    throw new EvidenceInputError(at(field, 'Id'), 'missing: every trace has an id');
  const start = optTime(s.StartTime, at(field, 'StartTime'));
  const responseTime = optSeconds(s.ResponseTime, at(field, 'ResponseTime'));
  const revision = optSeconds(s.Revision, at(field, 'Revision')) ?? 0;
  const causes: TraceCause[] = [];
  for (const [member, kind] of CAUSE_FIELDS) {
    optList(s[member], at(field, member)).forEach((rc, i) => {
      const cause = readCause(rc, at(at(field, member), i), kind);
      if (cause) causes.push(cause);
    });
  }
  const summary: TraceSummary = {
    id,
    ...(start !== undefined ? { start } : {}),
    ...(responseTime !== undefined ? { responseTime } : {}),
    hasFault: optBool(s.HasFault, at(field, 'HasFault')) ?? false,
    hasError: optBool(s.HasError, at(field, 'HasError')) ?? false,
    hasThrottle: optBool(s.HasThrottle, at(field, 'HasThrottle')) ?? false,
    causes,
  };
  return { summary, revision };
}

function readCause(raw: unknown, field: string, kind: CauseKind): TraceCause | undefined {
  const rc = object(raw, field);
  const services = optList(rc.Services, at(field, 'Services'));
  const clientImpacting = optBool(rc.ClientImpacting, at(field, 'ClientImpacting')) ?? false;
  // Check every listed service; the deepest named one is the root cause.
  let cause: TraceCause | undefined;
  services.forEach((svcRaw, i) => {
    const sf = at(at(field, 'Services'), i);
    const svc = object(svcRaw, sf);
    const names = optList(svc.Names, at(sf, 'Names')).map((n, j) => optString(n, at(at(sf, 'Names'), j)));
    const name = optString(svc.Name, at(sf, 'Name')) ?? names.find((n) => n !== undefined);
    const type = optString(svc.Type, at(sf, 'Type'));
    const inferred = optBool(svc.Inferred, at(sf, 'Inferred')) ?? false;
    const entityPath: string[] = [];
    const exceptions: RootCauseException[] = [];
    optList(svc.EntityPath, at(sf, 'EntityPath')).forEach((entRaw, j) => {
      const ef = at(at(sf, 'EntityPath'), j);
      const ent = object(entRaw, ef);
      const entName = optString(ent.Name, at(ef, 'Name'));
      if (entName !== undefined) entityPath.push(entName);
      optSeconds(ent.Coverage, at(ef, 'Coverage'));
      optBool(ent.Remote, at(ef, 'Remote'));
      optList(ent.Exceptions, at(ef, 'Exceptions')).forEach((exRaw, k) => {
        const xf = at(at(ef, 'Exceptions'), k);
        const ex = object(exRaw, xf);
        const exName = optString(ex.Name, at(xf, 'Name'));
        const message = optString(ex.Message, at(xf, 'Message'));
        if (exName !== undefined && exName !== '') {
          // Bounded here: names and messages come from application code and can be anything.
          exceptions.push({
            name: bounded(exName, MAX_EXCEPTION_NAME_CHARS),
            ...(message !== undefined ? { message: bounded(message, MAX_RAW_MESSAGE_CHARS) } : {}),
          });
        }
      });
    });
    if (name === undefined || name === '') return;
    cause = {
      kind,
      service: name,
      ...(type !== undefined ? { type } : {}),
      inferred,
      entityPath,
      exceptions,
      clientImpacting,
    };
  });
  return cause;
}

export interface ExceptionCount {
  readonly name: string;
  /** Traces in which the service threw it (a trace counts once). */
  readonly count: number;
}

/** X-Ray's verdict on one service, over the traces read. */
export interface ServiceVote {
  readonly service: string;
  /** Traces in which X-Ray names this service as a root cause (of any kind). */
  readonly traces: number;
  /** traces ÷ the traces that have any root cause. */
  readonly share: number;
  readonly byKind: Readonly<Record<CauseKind, number>>;
  /** Most frequent first, ties by name. */
  readonly exceptions: readonly ExceptionCount[];
  /** Faulty traces first, then errors, then slow ones; slower first; then by id. */
  readonly exemplars: readonly string[];
  /** The first exception message of the first exemplar, bounded. */
  readonly message?: string;
}

export interface TraceVotes {
  readonly tracesRead: number;
  readonly tracesWithRootCause: number;
  /** Most traces first, ties by name. */
  readonly services: readonly ServiceVote[];
}

export interface VoteLimits {
  readonly maxExceptions: number;
  readonly maxExemplars: number;
  readonly maxMessageChars: number;
}

export const DEFAULT_VOTE_LIMITS: VoteLimits = { maxExceptions: 5, maxExemplars: 3, maxMessageChars: 300 };

const KIND_ORDER: Record<CauseKind, number> = { fault: 0, error: 1, latency: 2 };

/** Counts, per service, the traces X-Ray blames on it. Independent of the order of the summaries. */
export function voteByService(
  summaries: readonly TraceSummary[],
  limits: VoteLimits = DEFAULT_VOTE_LIMITS,
): TraceVotes {
  type Acc = {
    traces: Map<
      string,
      { kind: CauseKind; summary: TraceSummary; exceptions: Set<string>; message?: string }
    >;
    byKind: Record<CauseKind, Set<string>>;
  };
  const acc = new Map<string, Acc>();
  let withCause = 0;
  const sorted = [...summaries].sort((a, b) => cmp(a.id, b.id));
  for (const t of sorted) {
    if (t.causes.length > 0) withCause++;
    for (const c of t.causes) {
      let a = acc.get(c.service);
      if (!a) {
        a = { traces: new Map(), byKind: { fault: new Set(), error: new Set(), latency: new Set() } };
        acc.set(c.service, a);
      }
      a.byKind[c.kind].add(t.id);
      const seen = a.traces.get(t.id);
      const entry = seen ?? { kind: c.kind, summary: t, exceptions: new Set<string>() };
      if (KIND_ORDER[c.kind] < KIND_ORDER[entry.kind]) entry.kind = c.kind;
      for (const ex of c.exceptions) {
        entry.exceptions.add(ex.name);
        if (entry.message === undefined && ex.message !== undefined) entry.message = ex.message;
      }
      a.traces.set(t.id, entry);
    }
  }
  const services: ServiceVote[] = [...acc.entries()].map(([service, a]) => {
    const counts = new Map<string, number>();
    for (const e of a.traces.values()) for (const n of e.exceptions) counts.set(n, (counts.get(n) ?? 0) + 1);
    const exceptions = [...counts.entries()]
      .map(([name, count]) => ({ name, count }))
      .sort((x, y) => y.count - x.count || cmp(x.name, y.name))
      .slice(0, limits.maxExceptions);
    const ranked = [...a.traces.entries()].sort(
      ([ia, x], [ib, y]) =>
        KIND_ORDER[x.kind] - KIND_ORDER[y.kind] ||
        (y.summary.responseTime ?? 0) - (x.summary.responseTime ?? 0) ||
        cmp(ia, ib),
    );
    const exemplars = ranked.slice(0, limits.maxExemplars).map(([id]) => id);
    const message = ranked.find(([, e]) => e.message !== undefined)?.[1].message;
    return {
      service,
      traces: a.traces.size,
      share: withCause > 0 ? round3(a.traces.size / withCause) : 0,
      byKind: { fault: a.byKind.fault.size, error: a.byKind.error.size, latency: a.byKind.latency.size },
      exceptions,
      exemplars,
      ...(message !== undefined ? { message: bounded(message, limits.maxMessageChars) } : {}),
    };
  });
  services.sort((x, y) => y.traces - x.traces || cmp(x.service, y.service));
  return { tracesRead: summaries.length, tracesWithRootCause: withCause, services };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
