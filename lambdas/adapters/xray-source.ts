// X-Ray GetServiceGraph over a window: every page (NextToken) merged into one JSON-safe document
// for the engine's parser, throttling retried with exponential backoff and full jitter.

import type * as XRay from '@aws-sdk/client-xray';
import { awsSdk } from './aws-sdk.ts';
import { type ClientOptions, clientConfig } from './clients.ts';
import { BadRequestError, type GraphSource, type ServiceGraphDocument, type TimeRange } from './ports.ts';

const { GetServiceGraphCommand, XRayClient } = awsSdk<typeof XRay>('@aws-sdk/client-xray');
type XRayClient = XRay.XRayClient;
type GetServiceGraphCommandOutput = XRay.GetServiceGraphCommandOutput;

/** The console's (and deep links') longest service-graph range; the API documents none, so we hold to it. */
export const MAX_WINDOW_MS = 6 * 60 * 60 * 1000;
/** X-Ray keeps service-graph data for 30 days. */
export const RETENTION_MS = 30 * 24 * 60 * 60 * 1000;

export interface XRayGraphSourceOptions {
  /** Create it once per cold start (see `createXRayClient`, which leaves retries to this class). */
  readonly client: XRayClient;
  /** Attempts per page, the first included, when X-Ray throttles. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff cap before jitter for the first retry, doubled each retry. @default 200 */
  readonly baseDelayMs?: number;
  /** @default 10000 */
  readonly maxDelayMs?: number;
  /** Injectable for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** [0, 1); injectable for tests. @default Math.random */
  readonly random?: () => number;
  /** Injectable for tests (the 30-day check). @default () => new Date() */
  readonly now?: () => Date;
  /** Guards against a server that never stops paging. @default 10000 */
  readonly maxPages?: number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class XRayGraphSource implements GraphSource {
  private readonly client: XRayClient;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => Date;
  private readonly maxPages: number;

  constructor(options: XRayGraphSourceOptions) {
    this.client = options.client;
    this.maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new Error(`maxAttempts must be a whole number ≥ 1, got ${this.maxAttempts}`);
    }
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
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
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.client.send(command);
      } catch (err) {
        if (!isThrottle(err)) throw err;
        if (attempt >= this.maxAttempts) {
          throw new Error(`X-Ray GetServiceGraph was still throttled after ${attempt} attempts`, {
            cause: err,
          });
        }
        // Full jitter: a random delay up to the exponential cap spreads retrying callers apart.
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * cap));
      }
    }
  }
}

export function isThrottle(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return e.name === 'ThrottledException' || e.$metadata?.httpStatusCode === 429;
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

/** Dates become ISO strings, undefined members disappear: the result survives JSON unchanged. */
function toJsonSafe(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (typeof value === 'object' && value !== null) {
    const out: Obj = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJsonSafe(v);
    }
    return out;
  }
  return value;
}

function asList(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

/**
 * X-Ray defaults to one attempt: `XRayGraphSource` retries throttling itself with full jitter, and
 * SDK retries underneath would multiply the attempts.
 */
export function createXRayClient(options: ClientOptions = {}): XRayClient {
  return new XRayClient(clientConfig(options, 1));
}
