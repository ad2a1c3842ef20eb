// X-Ray GetTraceSummaries for the alarmed service's faulty and slow traces, bounded in pages,
// traces and time, throttling retried with full jitter; and BatchGetTraces for an exemplar.
// Summaries are trimmed to what the analysis reads so that they fit in a workflow's state.

import type * as XRay from '@aws-sdk/client-xray';
import { awsSdk } from './aws-sdk.ts';
import { BadRequestError, type TraceQuery, type TraceSource, type TraceSummaryDocument } from './ports.ts';
import { type RetryOptions, ThrottleRetry, toJsonSafe } from './retry.ts';

const { BatchGetTracesCommand, GetTraceSummariesCommand } = awsSdk<typeof XRay>('@aws-sdk/client-xray');
type XRayClient = XRay.XRayClient;

/** The fields of a TraceSummary the analysis reads; everything else (annotations, users, IPs) is dropped. */
const KEPT = [
  'Id',
  'StartTime',
  'ResponseTime',
  'Duration',
  'HasFault',
  'HasError',
  'HasThrottle',
  'Revision',
  'FaultRootCauses',
  'ErrorRootCauses',
  'ResponseTimeRootCauses',
] as const;

export interface XRayTraceSourceOptions extends RetryOptions {
  readonly client: XRayClient;
  /** Pages read per filter expression. @default 5 */
  readonly maxPages?: number;
  /** Summaries kept in all. @default 200 */
  readonly maxTraces?: number;
  /** Wall-clock budget for one `getTraceSummaries`, throttling waits included. @default 10000 */
  readonly timeBudgetMs?: number;
  /** Injectable for tests. @default Date.now */
  readonly clock?: () => number;
}

/** X-Ray's filter-expression string literal: quotes and backslashes escaped. */
export function quoted(name: string): string {
  return `"${name.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The filter expressions read, in order: the service's faulty traces, then its slow ones. */
export function traceFilters(query: TraceQuery): string[] {
  const svc = `service(${quoted(query.service)})`;
  const out = [`${svc} { fault = true }`];
  if (query.slowerThanSeconds !== undefined) out.push(`${svc} { responsetime > ${query.slowerThanSeconds} }`);
  return out;
}

export class XRayTraceSource implements TraceSource {
  private readonly client: XRayClient;
  private readonly retry: ThrottleRetry;
  private readonly maxPages: number;
  private readonly maxTraces: number;
  private readonly timeBudgetMs: number;
  private readonly clock: () => number;

  constructor(options: XRayTraceSourceOptions) {
    this.client = options.client;
    this.retry = new ThrottleRetry(options);
    this.maxPages = options.maxPages ?? 5;
    this.maxTraces = options.maxTraces ?? 200;
    this.timeBudgetMs = options.timeBudgetMs ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  async getTraceSummaries(query: TraceQuery): Promise<TraceSummaryDocument> {
    if (!(query.range.end.getTime() > query.range.start.getTime())) {
      throw new BadRequestError('the window must end after it starts');
    }
    const deadline = this.clock() + this.timeBudgetMs;
    const byId = new Map<string, Record<string, unknown>>();
    let processed = 0;
    let calls = 0;
    let truncated = false;
    for (const filter of traceFilters(query)) {
      let nextToken: string | undefined;
      let pages = 0;
      do {
        if (this.clock() >= deadline || pages >= this.maxPages || byId.size >= this.maxTraces) {
          truncated = true;
          break;
        }
        const token = nextToken;
        const page = await this.retry.call('X-Ray GetTraceSummaries', () =>
          this.client.send(
            new GetTraceSummariesCommand({
              StartTime: query.range.start,
              EndTime: query.range.end,
              TimeRangeType: 'Service',
              Sampling: false,
              FilterExpression: filter,
              ...(token !== undefined ? { NextToken: token } : {}),
            }),
          ),
        );
        calls++;
        pages++;
        processed += page.TracesProcessedCount ?? 0;
        for (const raw of page.TraceSummaries ?? []) {
          const s = trim(toJsonSafe(raw) as Record<string, unknown>);
          const id = typeof s.Id === 'string' ? s.Id : undefined;
          if (id === undefined || byId.has(id)) continue;
          if (byId.size >= this.maxTraces) {
            truncated = true;
            break;
          }
          byId.set(id, s);
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken !== undefined);
      if (truncated) break;
    }
    return { TraceSummaries: [...byId.values()], TracesProcessedCount: processed, calls, truncated };
  }

  async getTraces(traceIds: readonly string[]): Promise<{ readonly Traces: readonly unknown[] }> {
    if (traceIds.length === 0 || traceIds.length > 5) {
      throw new BadRequestError(`BatchGetTraces takes 1 to 5 trace ids, got ${traceIds.length}`);
    }
    const out = await this.retry.call('X-Ray BatchGetTraces', () =>
      this.client.send(new BatchGetTracesCommand({ TraceIds: [...traceIds] })),
    );
    return { Traces: (toJsonSafe(out.Traces ?? []) as unknown[]) ?? [] };
  }
}

function trim(summary: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of KEPT) if (summary[k] !== undefined) out[k] = summary[k];
  return out;
}
