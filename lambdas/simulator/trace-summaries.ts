// Trace summaries consistent with a simulated incident: the faulty or slow traces X-Ray would keep
// for the window, each with the root cause X-Ray's analysis would name. X-Ray blames the deepest
// failing segment, which is the faulted service most of the time and one of its callers when the
// caller's own timeout or retry exhaustion is recorded deeper; `misattributed` sets how often.

import { mulberry32 } from './graph-builder.ts';
import type { Simulation } from './simulate.ts';
import type { CompiledTopology } from './topology.ts';

export type SummaryCauseKind = 'fault' | 'error' | 'latency';

export interface SummaryCause {
  readonly kind: SummaryCauseKind;
  readonly service: string;
  readonly type?: string;
  readonly inferred?: boolean;
  /** Entity names from the service's segment down to the failing subsegment. */
  readonly path?: readonly string[];
  readonly exceptions?: readonly { readonly name: string; readonly message?: string }[];
  /** For a remote or inferred root cause: the service whose subsegment recorded the call. */
  readonly caller?: string;
  /** The failing call, e.g. `POST /v2/charges` or `UpdateItem`, for the full trace. */
  readonly operation?: string;
}

export interface SummarySpec {
  readonly id: string;
  /** Epoch seconds. */
  readonly start: number;
  readonly responseTime: number;
  readonly entry?: string;
  readonly causes: readonly SummaryCause[];
  readonly revision?: number;
}

const FIELD: Record<SummaryCauseKind, string> = {
  fault: 'FaultRootCauses',
  error: 'ErrorRootCauses',
  latency: 'ResponseTimeRootCauses',
};

/** One TraceSummary in X-Ray's wire shape (epoch seconds). */
export function traceSummaryJson(spec: SummarySpec): Record<string, unknown> {
  const out: Record<string, unknown> = {
    Id: spec.id,
    StartTime: spec.start,
    Duration: spec.responseTime,
    ResponseTime: spec.responseTime,
    HasFault: spec.causes.some((c) => c.kind === 'fault'),
    HasError: spec.causes.some((c) => c.kind === 'error'),
    HasThrottle: spec.causes.some((c) => c.exceptions?.some((e) => /Throttl/.test(e.name)) ?? false),
    IsPartial: false,
    Revision: spec.revision ?? 1,
    ...(spec.entry !== undefined ? { EntryPoint: { Name: spec.entry, Names: [spec.entry] } } : {}),
  };
  for (const kind of ['fault', 'error', 'latency'] as const) {
    const causes = spec.causes.filter((c) => c.kind === kind);
    if (causes.length === 0) continue;
    out[FIELD[kind]] = causes.map((c) => ({
      ClientImpacting: true,
      Services: [
        {
          Name: c.service,
          Names: [c.service],
          ...(c.type !== undefined ? { Type: c.type } : {}),
          Inferred: c.inferred ?? false,
          EntityPath: (c.path ?? [c.service]).map((name, i, all) => ({
            Name: name,
            ...(kind === 'latency'
              ? { Coverage: 1 }
              : i === all.length - 1 && c.exceptions
                ? {
                    Exceptions: c.exceptions.map((e) => ({
                      Name: e.name,
                      ...(e.message ? { Message: e.message } : {}),
                    })),
                  }
                : {}),
          })),
        },
      ],
    }));
  }
  return out;
}

/**
 * The full trace behind a summary, as BatchGetTraces returns it: the entry point's segment and, for
 * each root cause, the segment of the service (or of its caller, for a remote one) with the failing
 * subsegment and its exception. Enough for `exemplarFromTraces`; not a complete trace.
 */
export function traceJson(spec: SummarySpec): Record<string, unknown> {
  const t0 = spec.start;
  const docs: Record<string, unknown>[] = [];
  const seg = (name: string, body: Record<string, unknown>) => {
    const id = (docs.length + 1).toString(16).padStart(16, '0');
    docs.push({ id, trace_id: spec.id, name, start_time: t0, end_time: t0 + spec.responseTime, ...body });
  };
  if (spec.entry !== undefined) seg(spec.entry, { http: { response: { status: 500 } } });
  for (const c of spec.causes) {
    if (c.kind === 'latency') continue;
    const failed = c.kind === 'fault' ? { fault: true } : { error: true };
    const cause = {
      exceptions: (c.exceptions ?? []).map((e) => ({ type: e.name, message: e.message ?? '' })),
    };
    const [method, path] = (c.operation ?? '').includes(' ')
      ? (c.operation ?? '').split(' ', 2)
      : [undefined, undefined];
    const call = {
      name: c.service,
      ...failed,
      cause,
      ...(method && path
        ? { namespace: 'remote', http: { request: { method, url: `https://${c.service}${path}` } } }
        : c.operation
          ? { namespace: 'aws', aws: { operation: c.operation } }
          : {}),
    };
    if (c.caller !== undefined) seg(c.caller, { ...failed, subsegments: [call] });
    else seg(c.service, { ...failed, subsegments: [{ name: c.operation ?? 'handler', ...failed, cause }] });
  }
  return {
    Id: spec.id,
    Duration: spec.responseTime,
    Segments: docs.map((d) => ({ Id: d.id, Document: JSON.stringify(d) })),
  };
}

/** The summaries as GetTraceSummaries pages of `pageSize`; the caller's endpoint adds NextToken. */
export function traceSummaryPages(
  specs: readonly SummarySpec[],
  pageSize: number,
  window: { start: number; end: number },
): Record<string, unknown>[] {
  const pages: Record<string, unknown>[] = [];
  for (let i = 0; i === 0 || i < specs.length; i += pageSize) {
    const slice = specs.slice(i, i + pageSize);
    pages.push({
      TraceSummaries: slice.map(traceSummaryJson),
      ApproximateTime: window.end,
      TracesProcessedCount: slice.length,
    });
  }
  return pages;
}

export interface SimulatedTraceOptions {
  /** Summaries to produce (X-Ray keeps sampled traces; a bounded read sees this many). @default 40 */
  readonly count?: number;
  /** Share of traces X-Ray blames on a caller of the faulted service instead. @default 0.2 */
  readonly misattributed?: number;
  readonly seed?: number;
}

/** Exception names by fault kind, as the X-Ray SDKs record them. */
const EXCEPTIONS: Record<string, { kind: SummaryCauseKind; name?: string; message?: string }> = {
  error: { kind: 'fault', name: 'InternalServerError', message: 'upstream handler failed' },
  unavailable: { kind: 'fault', name: 'ConnectException', message: 'Connection refused' },
  throttle: { kind: 'error', name: 'ThrottlingException', message: 'Rate exceeded' },
  latency: { kind: 'latency' },
  saturation: { kind: 'latency' },
};

/** Faulty or slow traces of the incident window, each blaming a faulted service (or, sometimes, a caller). */
export function simulateTraceSummaries(sim: Simulation, options: SimulatedTraceOptions = {}): SummarySpec[] {
  const topo = sim.topology;
  const count = options.count ?? 40;
  const misattributed = options.misattributed ?? 0.2;
  const rng = mulberry32((options.seed ?? sim.seed) * 7919 + 17);
  if (sim.faults.length === 0) return [];
  const window = firstWindow(sim);
  const entries = [...topo.entry.keys()].filter((v) => (topo.entry[v] ?? 0) > 0);
  const out: SummarySpec[] = [];
  for (let i = 0; i < count; i++) {
    const fault = sim.faults[Math.floor(rng() * sim.faults.length)] as Simulation['faults'][number];
    const how = EXCEPTIONS[fault.kind] ?? { kind: 'fault' };
    let v = fault.index;
    const callers = syncCallers(topo, v);
    if (callers.length > 0 && rng() < misattributed)
      v = callers[Math.floor(rng() * callers.length)] as number;
    const name = topo.names[v] as string;
    const down = fault.kind === 'unavailable' && v === fault.index;
    const entry = entries[Math.floor(rng() * entries.length)];
    out.push({
      id: traceId(window.start + Math.floor(rng() * (window.end - window.start)), rng),
      start: window.start + (i * (window.end - window.start)) / count,
      responseTime: Math.round((0.05 + 3 * rng()) * 1000) / 1000,
      ...(entry !== undefined ? { entry: topo.names[entry] as string } : {}),
      causes: [
        {
          kind: how.kind,
          service: name,
          type: topo.types[v] as string,
          inferred: down || topo.inferred[v] === 1,
          path: how.kind === 'latency' ? [name] : [name, down ? 'remote call' : 'handler'],
          ...(how.name
            ? { exceptions: [{ name: how.name, ...(how.message ? { message: how.message } : {}) }] }
            : {}),
        },
      ],
    });
  }
  return out;
}

function syncCallers(topo: CompiledTopology, v: number): number[] {
  const out: number[] = [];
  for (let i = topo.inStart[v] ?? 0; i < (topo.inStart[v + 1] ?? 0); i++) {
    const call = topo.inList[i] ?? 0;
    if (!topo.async[call]) out.push(topo.from[call] ?? 0);
  }
  return out;
}

function firstWindow(sim: Simulation): { start: number; end: number } {
  const w = Array.isArray(sim.snapshot.incident) ? sim.snapshot.incident[0] : sim.snapshot.incident;
  return { start: w?.StartTime ?? 0, end: w?.EndTime ?? 0 };
}

/** X-Ray's format: `1-<8 hex epoch seconds>-<24 hex random>`. */
function traceId(epochSeconds: number, rng: () => number): string {
  let hex = '';
  for (let i = 0; i < 24; i++) hex += Math.floor(rng() * 16).toString(16);
  return `1-${Math.floor(epochSeconds).toString(16).padStart(8, '0')}-${hex}`;
}
