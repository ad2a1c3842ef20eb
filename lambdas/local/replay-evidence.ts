// Replays a scenario's recorded evidence — X-Ray trace summaries, exemplar traces and CloudTrail
// change events — as live data, moved in time like its graph (replay.ts): a request whose window
// ends at T sees the recording shifted so that the recorded incident ends at T. A scenario without
// a recording gets trace summaries derived from its incident graph, so every scenario has some.

import type { Scenario } from './scenarios.ts';
import type { TraceSummaryRequest } from './xray-endpoint.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A scenario's evidence as recorded (the CLI's `analyze --traces/--exemplars/--changes` files). */
export interface EvidenceRecording {
  /** GetTraceSummaries response or pages. */
  readonly traces?: unknown;
  /** BatchGetTraces response. */
  readonly exemplars?: unknown;
  /** LookupEvents response or pages. */
  readonly changes?: unknown;
  /** Epoch seconds at which the recorded incident window ends. */
  readonly recordedEnd: number;
}

/** What the local X-Ray and CloudTrail endpoints answer with. */
export interface EvidenceAnswers {
  readonly traceSummaries: (request: TraceSummaryRequest) => readonly Obj[];
  readonly traces: (ids: readonly string[]) => readonly Obj[];
  readonly changes: (range: { readonly start?: Date; readonly end?: Date }) => readonly Obj[];
}

/** Summaries per GetTraceSummaries page, as X-Ray pages them. */
const PAGE_SIZE = 20;

export function replayEvidence(rec: EvidenceRecording): EvidenceAnswers {
  const summaries = listOf(rec.traces, 'TraceSummaries');
  const traces = listOf(rec.exemplars, 'Traces');
  const events = listOf(rec.changes, 'Events');
  return {
    traceSummaries: (req) => {
      const shift = req.end.getTime() / 1000 - rec.recordedEnd;
      // The fault filter reads faulty traces, the slow one slow traces: each summary answers the one it matches.
      const slow = req.filterExpression?.includes('responsetime') ?? false;
      const kept = summaries
        .filter((s) => (slow ? isSlowOnly(s) : !isSlowOnly(s)))
        .map((s) => moved(s, ['StartTime'], shift));
      const pages: Obj[] = [];
      for (let i = 0; i === 0 || i < kept.length; i += PAGE_SIZE) {
        const slice = kept.slice(i, i + PAGE_SIZE);
        pages.push({
          TraceSummaries: slice,
          TracesProcessedCount: slice.length,
          ApproximateTime: req.end.getTime() / 1000,
        });
      }
      return pages;
    },
    traces: (ids) => traces.filter((t) => ids.includes(String(t.Id))),
    changes: (range) => {
      const shift = range.end === undefined ? 0 : range.end.getTime() / 1000 - rec.recordedEnd;
      return events.map((e) => moved(e, ['EventTime'], shift));
    },
  };
}

/** Trace summaries consistent with a graph: its deepest faulty services take the blame, by their fault counts. */
export function derivedEvidence(incident: Readonly<Obj>, recordedEnd: number, count = 40): EvidenceRecording {
  const services = (Array.isArray(incident.Services) ? incident.Services : []).filter(isObj);
  const faultsOf = (s: Obj) => {
    const stats = isObj(s.SummaryStatistics) ? s.SummaryStatistics : {};
    const f = isObj(stats.FaultStatistics) ? stats.FaultStatistics.TotalCount : 0;
    return typeof f === 'number' ? f : 0;
  };
  const byRef = new Map(services.map((s) => [s.ReferenceId, s]));
  const deepest = services.filter(
    (s) =>
      s.Type !== 'client' &&
      faultsOf(s) > 0 &&
      !(Array.isArray(s.Edges) ? s.Edges : []).some(
        (e) => isObj(e) && faultsOf(byRef.get(e.ReferenceId) ?? {}) > 0,
      ),
  );
  const total = deepest.reduce((a, s) => a + faultsOf(s), 0);
  const list: Obj[] = [];
  for (const s of [...deepest].sort(
    (a, b) => faultsOf(b) - faultsOf(a) || String(a.Name).localeCompare(String(b.Name)),
  )) {
    const n = Math.max(1, Math.round((count * faultsOf(s)) / Math.max(1, total)));
    for (let i = 0; i < n && list.length < count; i++) {
      const at = recordedEnd - 600 + list.length * 7;
      list.push({
        Id: `1-${at.toString(16)}-${String(list.length).padStart(24, '0')}`,
        StartTime: at,
        ResponseTime: 1,
        HasFault: true,
        FaultRootCauses: [
          {
            ClientImpacting: true,
            Services: [
              { Name: s.Name, Type: s.Type, EntityPath: [{ Name: s.Name, Exceptions: [{ Name: 'Fault' }] }] },
            ],
          },
        ],
      });
    }
  }
  return { traces: { TraceSummaries: list }, recordedEnd };
}

function isSlowOnly(s: Obj): boolean {
  return s.HasFault !== true && s.HasError !== true && Array.isArray(s.ResponseTimeRootCauses);
}

function listOf(doc: unknown, field: string): Obj[] {
  const pages = Array.isArray(doc) ? doc : doc === undefined ? [] : [doc];
  return pages.flatMap((p) =>
    isObj(p) && Array.isArray(p[field]) ? (p[field] as unknown[]).filter(isObj) : [],
  );
}

function moved(o: Obj, fields: readonly string[], shift: number): Obj {
  const out: Obj = { ...o };
  for (const f of fields) {
    const v = o[f];
    const t = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) / 1000 : Number.NaN;
    if (Number.isFinite(t)) out[f] = Math.round((t + shift) * 1000) / 1000;
  }
  return out;
}

/** The evidence a scenario's replay answers with: its recording, or summaries derived from its graph. */
export function scenarioEvidence(scenario: Pick<Scenario, 'snapshot' | 'evidence'>): EvidenceAnswers {
  if (scenario.evidence) return replayEvidence(scenario.evidence);
  const end = scenario.snapshot.incident.EndTime;
  const recordedEnd = typeof end === 'number' ? end : typeof end === 'string' ? Date.parse(end) / 1000 : 0;
  return replayEvidence(
    derivedEvidence(scenario.snapshot.incident, Number.isFinite(recordedEnd) ? recordedEnd : 0),
  );
}
