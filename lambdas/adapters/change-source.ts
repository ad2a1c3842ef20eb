// CloudTrail LookupEvents for the changes to running services (CHANGE_EVENTS) over a window: one
// query per event name (LookupEvents filters on one attribute), at most 2 calls a second as
// CloudTrail allows, bounded in pages and time, throttling retried with full jitter. Each event's
// full record is cut down to what the analysis reads.

import type * as CloudTrail from '@aws-sdk/client-cloudtrail';
import { CHANGE_EVENT_NAMES, NAMING_PARAMETERS } from '../core/evidence/change-events.ts';
import { awsSdk } from './aws-sdk.ts';
import { type ClientOptions, clientConfig } from './clients.ts';
import { BadRequestError, type ChangeDocument, type ChangeSource, type TimeRange } from './ports.ts';
import { type RetryOptions, ThrottleRetry, toJsonSafe } from './retry.ts';

const { CloudTrailClient, LookupEventsCommand } = awsSdk<typeof CloudTrail>('@aws-sdk/client-cloudtrail');
type CloudTrailClient = CloudTrail.CloudTrailClient;

/** CloudTrail's LookupEvents rate: two requests a second per account and region. */
export const MIN_CALL_INTERVAL_MS = 500;
/** LookupEvents reaches 90 days back. */
export const LOOKUP_RETENTION_MS = 90 * 24 * 60 * 60 * 1000;

export interface CloudTrailChangeSourceOptions extends RetryOptions {
  readonly client: CloudTrailClient;
  /** @default CHANGE_EVENT_NAMES */
  readonly eventNames?: readonly string[];
  /** Pages (of up to 50 events) per event name. @default 2 */
  readonly maxPagesPerName?: number;
  /** Wall-clock budget for one `lookupChanges`, pacing and throttling included. @default 20000 */
  readonly timeBudgetMs?: number;
  /** @default 500 (CloudTrail's 2 calls a second) */
  readonly minCallIntervalMs?: number;
  /** Injectable for tests. @default Date.now */
  readonly clock?: () => number;
}

export class CloudTrailChangeSource implements ChangeSource {
  private readonly client: CloudTrailClient;
  private readonly retry: ThrottleRetry;
  private readonly eventNames: readonly string[];
  private readonly maxPagesPerName: number;
  private readonly timeBudgetMs: number;
  private readonly minCallIntervalMs: number;
  private readonly clock: () => number;

  constructor(options: CloudTrailChangeSourceOptions) {
    this.client = options.client;
    this.retry = new ThrottleRetry(options);
    this.eventNames = options.eventNames ?? CHANGE_EVENT_NAMES;
    this.maxPagesPerName = options.maxPagesPerName ?? 2;
    this.timeBudgetMs = options.timeBudgetMs ?? 20_000;
    this.minCallIntervalMs = options.minCallIntervalMs ?? MIN_CALL_INTERVAL_MS;
    this.clock = options.clock ?? Date.now;
  }

  async lookupChanges(range: TimeRange): Promise<ChangeDocument> {
    if (!(range.end.getTime() > range.start.getTime())) {
      throw new BadRequestError('the change window must end after it starts');
    }
    if (this.clock() - range.start.getTime() > LOOKUP_RETENTION_MS) {
      throw new BadRequestError('CloudTrail LookupEvents reaches 90 days back; the window starts earlier');
    }
    const deadline = this.clock() + this.timeBudgetMs;
    const events = new Map<string, Record<string, unknown>>();
    let calls = 0;
    let truncated = false;
    let lastCall = Number.NEGATIVE_INFINITY;
    outer: for (const name of this.eventNames) {
      let nextToken: string | undefined;
      let pages = 0;
      do {
        if (pages >= this.maxPagesPerName) {
          truncated = true;
          break;
        }
        const wait = lastCall + this.minCallIntervalMs - this.clock();
        if (this.clock() + Math.max(0, wait) >= deadline) {
          truncated = true;
          break outer;
        }
        if (wait > 0) await this.retry.sleep(wait);
        lastCall = this.clock();
        const token = nextToken;
        const page = await this.retry.call('CloudTrail LookupEvents', () =>
          this.client.send(
            new LookupEventsCommand({
              StartTime: range.start,
              EndTime: range.end,
              LookupAttributes: [{ AttributeKey: 'EventName', AttributeValue: name }],
              MaxResults: 50,
              ...(token !== undefined ? { NextToken: token } : {}),
            }),
          ),
        );
        calls++;
        pages++;
        for (const raw of page.Events ?? []) {
          const e = compact(toJsonSafe(raw) as Record<string, unknown>);
          events.set(String(e.EventId ?? `${name}-${events.size}`), e);
        }
        nextToken = page.NextToken || undefined;
      } while (nextToken !== undefined);
    }
    return { Events: [...events.values()], calls, truncated };
  }
}

/** The event without its full record: the record (a JSON string of several KB) keeps only what names the change. */
function compact(event: Record<string, unknown>): Record<string, unknown> {
  const { CloudTrailEvent, ...rest } = event;
  if (typeof CloudTrailEvent !== 'string') return rest;
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(CloudTrailEvent) as Record<string, unknown>;
  } catch {
    return rest;
  }
  const params = (record.requestParameters ?? {}) as Record<string, unknown>;
  const kept: Record<string, unknown> = {};
  for (const p of NAMING_PARAMETERS) if (typeof params[p] === 'string') kept[p] = params[p];
  const who = (record.userIdentity ?? {}) as Record<string, unknown>;
  return {
    ...rest,
    CloudTrailEvent: JSON.stringify({
      eventSource: record.eventSource,
      userIdentity: typeof who.arn === 'string' ? { arn: who.arn } : {},
      requestParameters: kept,
    }),
  };
}

/** One attempt, like X-Ray: `CloudTrailChangeSource` paces and retries throttling itself. */
export function createCloudTrailClient(options: ClientOptions = {}): CloudTrailClient {
  return new CloudTrailClient(clientConfig(options, 1));
}
