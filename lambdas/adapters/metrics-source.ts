// CloudWatch GetMetricData for the Enrich step: queries in batches within the API's limit of 500,
// every NextToken page, results merged per query id with datapoints oldest first.

import type * as CloudWatch from '@aws-sdk/client-cloudwatch';
import { awsSdk } from './aws-sdk.ts';
import { type ClientOptions, clientConfig } from './clients.ts';
import type { MetricQuery, MetricResult, MetricsSource, TimeRange } from './ports.ts';

const { CloudWatchClient, GetMetricDataCommand } = awsSdk<typeof CloudWatch>('@aws-sdk/client-cloudwatch');
type CloudWatchClient = CloudWatch.CloudWatchClient;
type MetricDataQuery = CloudWatch.MetricDataQuery;

/** GetMetricData accepts at most 500 MetricDataQuery entries per call. */
export const MAX_QUERIES_PER_CALL = 500;
const ID_PATTERN = /^[a-z][a-zA-Z0-9_]*$/;

export interface CloudWatchMetricsSourceOptions {
  /** Create it once per cold start (`createCloudWatchClient`). */
  readonly client: CloudWatchClient;
  /** Queries per GetMetricData call, 1–500. @default 500 */
  readonly batchSize?: number;
  /** Guards against a server that never stops paging. @default 1000 */
  readonly maxPagesPerBatch?: number;
}

export class CloudWatchMetricsSource implements MetricsSource {
  private readonly client: CloudWatchClient;
  private readonly batchSize: number;
  private readonly maxPagesPerBatch: number;

  constructor(options: CloudWatchMetricsSourceOptions) {
    this.client = options.client;
    this.batchSize = options.batchSize ?? MAX_QUERIES_PER_CALL;
    if (!Number.isInteger(this.batchSize) || this.batchSize < 1 || this.batchSize > MAX_QUERIES_PER_CALL) {
      throw new Error(
        `batchSize must be a whole number from 1 to ${MAX_QUERIES_PER_CALL}, got ${this.batchSize}`,
      );
    }
    this.maxPagesPerBatch = options.maxPagesPerBatch ?? 1000;
  }

  async getMetrics(queries: readonly MetricQuery[], range: TimeRange): Promise<MetricResult[]> {
    checkQueries(queries);
    const points = new Map<string, { t: number; v: number }[]>();
    for (const q of queries) points.set(q.id, []);

    for (let i = 0; i < queries.length; i += this.batchSize) {
      const batch = queries.slice(i, i + this.batchSize).map(toDataQuery);
      let nextToken: string | undefined;
      let pages = 0;
      do {
        if (++pages > this.maxPagesPerBatch) {
          throw new Error(
            `CloudWatch GetMetricData returned more than ${this.maxPagesPerBatch} pages; giving up`,
          );
        }
        const out = await this.client.send(
          new GetMetricDataCommand({
            StartTime: range.start,
            EndTime: range.end,
            MetricDataQueries: batch,
            ScanBy: 'TimestampAscending',
            ...(nextToken !== undefined ? { NextToken: nextToken } : {}),
          }),
        );
        for (const r of out.MetricDataResults ?? []) {
          const list = r.Id === undefined ? undefined : points.get(r.Id);
          if (list === undefined) continue;
          const ts = r.Timestamps ?? [];
          const vs = r.Values ?? [];
          for (let k = 0; k < Math.min(ts.length, vs.length); k++) {
            const t = ts[k];
            const v = vs[k];
            if (t !== undefined && v !== undefined) list.push({ t: t.getTime(), v });
          }
        }
        nextToken = out.NextToken === '' ? undefined : out.NextToken;
      } while (nextToken !== undefined);
    }

    return queries.map((q) => {
      const list = (points.get(q.id) ?? []).sort((a, b) => a.t - b.t);
      return { id: q.id, timestamps: list.map((p) => new Date(p.t)), values: list.map((p) => p.v) };
    });
  }
}

function checkQueries(queries: readonly MetricQuery[]): void {
  const seen = new Set<string>();
  for (const q of queries) {
    if (!ID_PATTERN.test(q.id)) {
      throw new Error(`metric query id "${q.id}" must match [a-z][a-zA-Z0-9_]* (GetMetricData's rule)`);
    }
    if (seen.has(q.id)) throw new Error(`metric query id "${q.id}" is used twice; ids must be unique`);
    seen.add(q.id);
  }
}

function toDataQuery(q: MetricQuery): MetricDataQuery {
  return {
    Id: q.id,
    ReturnData: true,
    MetricStat: {
      Metric: {
        Namespace: q.namespace,
        MetricName: q.metricName,
        Dimensions: Object.entries(q.dimensions).map(([Name, Value]) => ({ Name, Value })),
      },
      Period: q.periodSeconds,
      Stat: q.stat,
    },
  };
}

export function createCloudWatchClient(options: ClientOptions = {}): CloudWatchClient {
  return new CloudWatchClient(clientConfig(options));
}
