// A local CloudTrail endpoint for LookupEvents (moto has none), reached by the real SDK client
// through `AWS_ENDPOINT_URL_CLOUDTRAIL` or an `endpoint` option. It filters the events it holds
// the way CloudTrail does — by time range and one lookup attribute — newest first, pages them by
// MaxResults (at most 50) with NextToken, and can throttle (HTTP 429) or fail on demand.

import {
  errorAnswer,
  type LocalJsonEndpoint,
  pageAnswer,
  type Route,
  startJsonEndpoint,
  toDate,
} from './json-endpoint.ts';

/** CloudTrail's page size limit for LookupEvents. */
export const MAX_LOOKUP_RESULTS = 50;

export interface LocalCloudTrailOptions {
  /**
   * `Events[]` entries as LookupEvents returns them (EventTime in epoch seconds or ISO-8601), given
   * the request's time range (a replay moves recorded events into it).
   */
  readonly events: (range: {
    readonly start?: Date;
    readonly end?: Date;
  }) => readonly Readonly<Record<string, unknown>>[];
  /** Answer this many requests with HTTP 429 ThrottlingException before serving any. @default 0 */
  readonly throttleFirst?: number;
  readonly failWith?: { readonly status: number; readonly type: string; readonly message: string };
  /** @default 0 (any free port) */
  readonly port?: number;
}

export type LocalCloudTrail = LocalJsonEndpoint;

const ATTRIBUTES: Record<string, (e: Readonly<Record<string, unknown>>, value: string) => boolean> = {
  EventName: (e, v) => e.EventName === v,
  EventSource: (e, v) => e.EventSource === v,
  EventId: (e, v) => e.EventId === v,
  Username: (e, v) => e.Username === v,
  ReadOnly: (e, v) => String(e.ReadOnly ?? 'false') === v,
  ResourceName: (e, v) => resources(e).some((r) => r.ResourceName === v),
  ResourceType: (e, v) => resources(e).some((r) => r.ResourceType === v),
};

export async function startLocalCloudTrail(options: LocalCloudTrailOptions): Promise<LocalCloudTrail> {
  const route: Route = ({ target, body }) => {
    if (target === undefined || !target.endsWith('.LookupEvents')) return undefined;
    return () => {
      const attrs = Array.isArray(body.LookupAttributes) ? body.LookupAttributes : [];
      if (attrs.length > 1) {
        return errorAnswer(
          400,
          'InvalidLookupAttributesException',
          'You can only specify one lookup attribute',
        );
      }
      const attr = attrs[0] as { AttributeKey?: unknown; AttributeValue?: unknown } | undefined;
      const test = attr === undefined ? undefined : ATTRIBUTES[String(attr.AttributeKey)];
      if (attr !== undefined && test === undefined) {
        return errorAnswer(
          400,
          'InvalidLookupAttributesException',
          `unknown key ${String(attr.AttributeKey)}`,
        );
      }
      const max = body.MaxResults === undefined ? MAX_LOOKUP_RESULTS : Number(body.MaxResults);
      if (!Number.isInteger(max) || max < 1 || max > MAX_LOOKUP_RESULTS) {
        return errorAnswer(
          400,
          'InvalidMaxResultsException',
          `MaxResults must be 1 to ${MAX_LOOKUP_RESULTS}`,
        );
      }
      const start = body.StartTime === undefined ? undefined : toDate(body.StartTime);
      const end = body.EndTime === undefined ? undefined : toDate(body.EndTime);
      const from = start?.getTime() ?? Number.NEGATIVE_INFINITY;
      const to = end?.getTime() ?? Number.POSITIVE_INFINITY;
      const matching = options
        .events({ ...(start ? { start } : {}), ...(end ? { end } : {}) })
        .map((e) => ({ e, at: toDate(e.EventTime).getTime() }))
        .filter(
          ({ e, at }) =>
            at >= from && at <= to && (test === undefined || test(e, String(attr?.AttributeValue))),
        )
        .sort((a, b) => b.at - a.at)
        .map(({ e }) => e);
      const pages: Record<string, unknown>[] = [];
      for (let i = 0; i === 0 || i < matching.length; i += max)
        pages.push({ Events: matching.slice(i, i + max) });
      return pageAnswer(pages, body.NextToken);
    };
  };
  const { events: _events, ...endpoint } = options;
  return startJsonEndpoint(route, { ...endpoint, throttleType: 'ThrottlingException' });
}

function resources(
  e: Readonly<Record<string, unknown>>,
): { ResourceName?: unknown; ResourceType?: unknown }[] {
  return Array.isArray(e.Resources)
    ? (e.Resources as { ResourceName?: unknown; ResourceType?: unknown }[])
    : [];
}
