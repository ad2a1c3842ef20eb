// X-Ray GetServiceGraph over a window: every page (NextToken) merged into one JSON-safe document
// for the engine's parser, throttling retried with exponential backoff and full jitter.

import type * as XRay from '@aws-sdk/client-xray';
import { awsSdk } from './aws-sdk.ts';
import { BadRequestError, type GraphSource, type ServiceGraphDocument, type TimeRange } from './ports.ts';
import { type RetryOptions, ThrottleRetry, toJsonSafe } from './retry.ts';

export { isThrottle } from './retry.ts';

const { GetServiceGraphCommand } = awsSdk<typeof XRay>('@aws-sdk/client-xray');
type XRayClient = XRay.XRayClient;
type GetServiceGraphCommandOutput = XRay.GetServiceGraphCommandOutput;

/** The console's (and deep links') longest service-graph range; the API documents none, so we hold to it. */
export const MAX_WINDOW_MS = 6 * 60 * 60 * 1000;
/** X-Ray keeps service-graph data for 30 days. */
export const RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

/** Retries (attempts per page when X-Ray throttles, backoff) as in `RetryOptions`. */
export interface XRayGraphSourceOptions extends RetryOptions {
  /** Create it once per cold start (see `createXRayClient` in xray-client.ts, which leaves retries to this class). */
  readonly client: XRayClient;
  /** Injectable for tests (the 30-day check). @default () => new Date() */
  readonly now?: () => Date;
  /** Guards against a server that never stops paging. @default 10000 */
  readonly maxPages?: number;
}

export class XRayGraphSource implements GraphSource {
  private readonly client: XRayClient;
  private readonly retry: ThrottleRetry;
  private readonly now: () => Date;
  private readonly maxPages: number;

  constructor(options: XRayGraphSourceOptions) {
    this.client = options.client;
    this.retry = new ThrottleRetry(options);
    this.now = options.now ?? (() => new Date());
    this.maxPages = options.maxPages ?? 10_000;
  }

  async getServiceGraph(range: TimeRange, groupName?: string): Promise<ServiceGraphDocument> {
    this.checkRange(range);
    const pages: GetServiceGraphCommandOutput[] = [];
    const seenTokens = new Set<string>();
    let nextToken: string | undefined;
    do {
      if (pages.length >= this.maxPages) {
        throw new Error(`X-Ray GetServiceGraph returned more than ${this.maxPages} pages; giving up`);
      }
      const page = await this.fetchPage(range, groupName, nextToken);
      pages.push(page);
      nextToken = page.NextToken;
      if (nextToken !== undefined) {
        if (seenTokens.has(nextToken)) {
          throw new Error('X-Ray GetServiceGraph repeated a NextToken; the pages would never end');
        }
        seenTokens.add(nextToken);
      }
    } while (nextToken !== undefined && nextToken !== '');
    return mergePages(pages);
  }

  private checkRange(range: TimeRange): void {
    const start = range.start.getTime();
    const end = range.end.getTime();
    if (Number.isNaN(start) || Number.isNaN(end)) throw new BadRequestError('the window has an invalid time');
    if (end <= start) {
      throw new BadRequestError(
        `the window must end after it starts (${range.start.toISOString()} → ${range.end.toISOString()})`,
      );
    }
    if (end - start > MAX_WINDOW_MS) {
      const hours = ((end - start) / 3_600_000).toFixed(1);
      throw new BadRequestError(
        `the window is ${hours} h long: X-Ray service graphs are read over at most 6 hours (the console's limit)`,
      );
    }
    if (this.now().getTime() - start > RETENTION_MS) {
      throw new BadRequestError(
        `the window starts at ${range.start.toISOString()}, more than 30 days ago: X-Ray keeps service-graph data for 30 days`,
      );
    }
  }

  private async fetchPage(
    range: TimeRange,
    groupName: string | undefined,
    nextToken: string | undefined,
  ): Promise<GetServiceGraphCommandOutput> {
    const command = new GetServiceGraphCommand({
      StartTime: range.start,
      EndTime: range.end,
      ...(groupName !== undefined ? { GroupName: groupName } : {}),
      ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
    });
    return this.retry.call('X-Ray GetServiceGraph', () => this.client.send(command));
  }
}

type Obj = Record<string, unknown>;

/**
 * One document from the pages: services in first-seen order; a service repeated on a later page
 * (same ReferenceId, Name and Type) keeps one entry with the edges of both.
 */
function mergePages(pages: readonly GetServiceGraphCommandOutput[]): ServiceGraphDocument {
  const services: Obj[] = [];
  const byRef = new Map<number, number>();
  let containsOld = false;
  let sawContainsOld = false;
  for (const page of pages) {
    if (page.ContainsOldGroupVersions !== undefined) {
      sawContainsOld = true;
      containsOld ||= page.ContainsOldGroupVersions;
    }
    for (const raw of page.Services ?? []) {
      const svc = toJsonSafe(raw) as Obj;
      const ref = typeof svc.ReferenceId === 'number' ? svc.ReferenceId : undefined;
      const at = ref === undefined ? undefined : byRef.get(ref);
      const prior = at === undefined ? undefined : services[at];
      if (at !== undefined && prior !== undefined && prior.Name === svc.Name && prior.Type === svc.Type) {
        services[at] = { ...prior, Edges: [...asList(prior.Edges), ...asList(svc.Edges)] };
        continue;
      }
      if (ref !== undefined && at === undefined) byRef.set(ref, services.length);
      services.push(svc);
    }
  }
  const first = pages[0];
  return {
    ...(first?.StartTime !== undefined ? { StartTime: first.StartTime.toISOString() } : {}),
    ...(first?.EndTime !== undefined ? { EndTime: first.EndTime.toISOString() } : {}),
    ...(sawContainsOld ? { ContainsOldGroupVersions: containsOld } : {}),
    Services: services,
  };
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
