// Replays a recorded graph snapshot as live X-Ray data: a window that ends within the last
// `incidentMinutes` (the incident is going on now) gets the snapshot's incident graph, an older
// window its baseline graph, each moved in time to the window asked for and split into pages.
// This is what lets a capture from last month run through today's workflow.

import type { GraphPages, GraphRequest } from './xray-endpoint.ts';

type Obj = Record<string, unknown>;

/** The two GetServiceGraph responses of a snapshot file, as recorded (wire or CLI format). */
export interface SnapshotDocument {
  readonly incident: Readonly<Obj>;
  /** Absent for a bare response: X-Ray then answers the baseline window with an empty graph. */
  readonly baseline: Readonly<Obj> | undefined;
}

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * `{incident, baseline?}`, a bare GetServiceGraph response, or a list of its pages, as the `analyze`
 * command accepts them. Throws naming the part that is not a service graph; the engine's parser
 * checks the services themselves.
 */
export function readSnapshotDocument(json: unknown): SnapshotDocument {
  if (isObj(json) && 'incident' in json) {
    return {
      incident: readResponse(json.incident, 'incident'),
      baseline:
        json.baseline === undefined || json.baseline === null
          ? undefined
          : readResponse(json.baseline, 'baseline'),
    };
  }
  return { incident: readResponse(json, '(top level)'), baseline: undefined };
}

function readResponse(value: unknown, where: string): Obj {
  const pages = Array.isArray(value) ? value : [value];
  if (pages.length === 0 || !pages.every((p) => isObj(p) && Array.isArray(p.Services))) {
    throw new Error(`${where}: not a GetServiceGraph response (expected an object with a "Services" list)`);
  }
  const first = pages[0] as Obj;
  // Pages of one response: one list of services (the adapter merges repeated nodes as X-Ray's do).
  return { ...first, Services: pages.flatMap((p) => (p as Obj).Services as unknown[]), NextToken: undefined };
}

export interface ReplayOptions {
  /** Windows ending less than this long ago see the incident. Use the stack's lookback. */
  readonly incidentMinutes: number;
  /** Services per page. @default 500 */
  readonly pageSize?: number;
  /** @default () => new Date() */
  readonly now?: () => Date;
}

/** The answer function for `startLocalXRay({ graphs })`. */
export function replaySnapshot(
  snapshot: SnapshotDocument,
  options: ReplayOptions,
): (req: GraphRequest) => GraphPages {
  const pageSize = options.pageSize ?? 500;
  const now = options.now ?? (() => new Date());
  const incidentMs = options.incidentMinutes * 60_000;
  return (req) => {
    const isIncident = req.end.getTime() > now().getTime() - incidentMs;
    const doc = isIncident ? snapshot.incident : snapshot.baseline;
    return paginate(doc === undefined ? [] : movedTo(doc, req), req, pageSize);
  };
}

/** The services of `doc` with every timestamp moved by the distance between its end and the window's. */
function movedTo(doc: Readonly<Obj>, req: GraphRequest): unknown[] {
  const recordedEnd = epochSeconds(doc.EndTime);
  const shift = recordedEnd === undefined ? 0 : req.end.getTime() / 1000 - recordedEnd;
  const services = doc.Services as unknown[];
  return services.map((svc) => {
    if (!isObj(svc)) return svc;
    const edges = Array.isArray(svc.Edges)
      ? svc.Edges.map((e) => (isObj(e) ? moveTimes(e, shift) : e))
      : svc.Edges;
    return { ...moveTimes(svc, shift), ...(edges !== undefined ? { Edges: edges } : {}) };
  });
}

function moveTimes(o: Obj, shift: number): Obj {
  const out: Obj = { ...o };
  for (const key of ['StartTime', 'EndTime']) {
    const t = epochSeconds(o[key]);
    if (t !== undefined) out[key] = round3(t + shift);
    else delete out[key];
  }
  return out;
}

function paginate(services: unknown[], req: GraphRequest, pageSize: number): GraphPages {
  const window = { StartTime: req.start.getTime() / 1000, EndTime: req.end.getTime() / 1000 };
  if (services.length === 0) return [{ ...window, Services: [] }];
  const pages: Obj[] = [];
  for (let i = 0; i < services.length; i += pageSize) {
    pages.push({ ...window, Services: services.slice(i, i + pageSize) });
  }
  return pages;
}

/** Epoch seconds from the wire's numbers, the CLI's ISO-8601 strings or Dates; undefined when absent or unreadable. */
function epochSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date) return value.getTime() / 1000;
  if (typeof value === 'string') {
    const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value);
    return Number.isFinite(ms) ? ms / 1000 : undefined;
  }
  return undefined;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
