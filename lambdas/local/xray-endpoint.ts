// A local X-Ray endpoint reached by the real SDK client through `AWS_ENDPOINT_URL_XRAY` or an
// `endpoint` option: `POST /ServiceGraph` (GetServiceGraph) from fixed pages or from a function of
// the requested window (a replayed snapshot, see replay.ts), `POST /TraceSummaries`
// (GetTraceSummaries) and `POST /Traces` (BatchGetTraces) when given their answers. It pages with
// NextToken like X-Ray, and can throttle (HTTP 429 ThrottledException) or fail on demand.

import {
  closeServer,
  errorAnswer,
  type LocalJsonEndpoint,
  pageAnswer,
  type RequestLog,
  type Route,
  startJsonEndpoint,
  toDate,
} from './json-endpoint.ts';

export { closeServer };

/** What a GetServiceGraph call asked for. */
export interface GraphRequest {
  readonly start: Date;
  readonly end: Date;
  readonly groupName: string | undefined;
}

/** What a GetTraceSummaries call asked for. */
export interface TraceSummaryRequest {
  readonly start: Date;
  readonly end: Date;
  readonly filterExpression: string | undefined;
}

/** The pages X-Ray answers a request with, in order; the endpoint adds `NextToken` to all but the last. */
export type GraphPages = readonly Readonly<Record<string, unknown>>[];

export interface LocalXRayOptions {
  /** The same pages for every request. Give this or `graphs`. */
  readonly pages?: GraphPages;
  /** Pages per request (computed once per distinct window and group, then kept for the follow-up pages). */
  readonly graphs?: (request: GraphRequest) => GraphPages;
  /** GetTraceSummaries pages per request (kept like `graphs`); without it, no trace summaries (empty). */
  readonly traceSummaries?: (request: TraceSummaryRequest) => GraphPages;
  /** BatchGetTraces: the traces among `ids` (a `Traces` list, each `{Id, Duration, Segments}`). */
  readonly traces?: (ids: readonly string[]) => readonly Readonly<Record<string, unknown>>[];
  /** Answer this many requests with HTTP 429 ThrottledException before serving any. @default 0 */
  readonly throttleFirst?: number;
  /** Answer every request with this error instead (e.g. 400 InvalidRequestException). */
  readonly failWith?: { readonly status: number; readonly type: string; readonly message: string };
  /** @default 0 (any free port) */
  readonly port?: number;
}

export type XRayRequestLog = RequestLog;
export type LocalXRay = LocalJsonEndpoint;

/** Distinct windows whose pages are kept for follow-up page requests. */
const PAGE_CACHE_SIZE = 8;

/** BatchGetTraces takes at most 5 trace ids per call. */
export const MAX_BATCH_TRACE_IDS = 5;

export async function startLocalXRay(options: LocalXRayOptions): Promise<LocalXRay> {
  const { pages, graphs } = options;
  if ((pages === undefined) === (graphs === undefined)) {
    throw new Error('startLocalXRay: give exactly one of `pages` and `graphs`');
  }
  const graphPages = cached((body): [string, () => GraphPages] => {
    if (pages !== undefined) return ['', () => pages];
    const request: GraphRequest = {
      start: toDate(body.StartTime),
      end: toDate(body.EndTime),
      groupName: typeof body.GroupName === 'string' ? body.GroupName : undefined,
    };
    const key = `${request.start.getTime()}|${request.end.getTime()}|${request.groupName ?? ''}`;
    return [key, () => (graphs as NonNullable<typeof graphs>)(request)];
  });
  const summaryPages = cached((body): [string, () => GraphPages] => {
    const request: TraceSummaryRequest = {
      start: toDate(body.StartTime),
      end: toDate(body.EndTime),
      filterExpression: typeof body.FilterExpression === 'string' ? body.FilterExpression : undefined,
    };
    const key = `${request.start.getTime()}|${request.end.getTime()}|${request.filterExpression ?? ''}`;
    return [
      key,
      () => options.traceSummaries?.(request) ?? [{ TraceSummaries: [], TracesProcessedCount: 0 }],
    ];
  });

  const route: Route = ({ path, body }) => {
    const windowed = (answer: (b: Record<string, unknown>) => GraphPages) => () => {
      if (body.StartTime === undefined || body.EndTime === undefined) {
        return errorAnswer(400, 'InvalidRequestException', 'StartTime and EndTime are required');
      }
      return pageAnswer(answer(body), body.NextToken);
    };
    if (path === '/ServiceGraph') return windowed(graphPages);
    if (path === '/TraceSummaries') return windowed(summaryPages);
    if (path === '/Traces') {
      return () => {
        const ids = Array.isArray(body.TraceIds) ? body.TraceIds.map(String) : [];
        if (ids.length === 0 || ids.length > MAX_BATCH_TRACE_IDS) {
          return errorAnswer(
            400,
            'InvalidRequestException',
            `TraceIds must hold 1 to ${MAX_BATCH_TRACE_IDS} ids`,
          );
        }
        const found = options.traces?.(ids) ?? [];
        const seen = new Set(found.map((t) => t.Id));
        return {
          status: 200,
          payload: { Traces: found, UnprocessedTraceIds: ids.filter((id) => !seen.has(id)) },
        };
      };
    }
    return undefined;
  };
  const { pages: _p, graphs: _g, traceSummaries: _s, traces: _t, ...endpoint } = options;
  return startJsonEndpoint(route, { ...endpoint, throttleType: 'ThrottledException' });
}

/** Pages computed once per key and kept (a bounded cache) for the follow-up page requests. */
function cached(
  keyOf: (body: Record<string, unknown>) => [string, () => GraphPages],
): (body: Record<string, unknown>) => GraphPages {
  const cache = new Map<string, GraphPages>();
  return (body) => {
    const [key, compute] = keyOf(body);
    const kept = cache.get(key);
    if (kept !== undefined) return kept;
    const fresh = compute();
    cache.set(key, fresh);
    if (cache.size > PAGE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    return fresh;
  };
}
