// CloudWatchMetricsSource against moto's CloudWatch: datapoints written with PutMetricData come back
// through GetMetricData, oldest first; more than 500 queries take more than one call.

import {
  type CloudWatchClient,
  GetMetricDataCommand,
  PutMetricDataCommand,
} from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CloudWatchMetricsSource, createCloudWatchClient } from '../../lambdas/adapters/metrics-source.ts';
import type { MetricQuery } from '../../lambdas/adapters/ports.ts';
import { clientOptions, type LocalServer, startMotoServer } from '../support/local-servers.ts';

const NAMESPACE = 'CascadeTest';
const MINUTE = 60_000;

function cpuQuery(id: string, service: string): MetricQuery {
  return {
    id,
    namespace: NAMESPACE,
    metricName: 'CPUUtilization',
    dimensions: { ServiceName: service, ClusterName: 'shop' },
    stat: 'Average',
    periodSeconds: 60,
  };
}

describe('Class: CloudWatchMetricsSource', () => {
  let moto: LocalServer;
  let client: CloudWatchClient;
  let calls = 0;
  // Whole minutes, so that each datapoint sits alone in its 60-second period.
  const now = Math.floor(Date.now() / MINUTE) * MINUTE;
  const range = { start: new Date(now - 60 * MINUTE), end: new Date(now + MINUTE) };

  async function putCpu(
    service: string,
    points: readonly [minutesAgo: number, value: number][],
  ): Promise<void> {
    await client.send(
      new PutMetricDataCommand({
        Namespace: NAMESPACE,
        MetricData: points.map(([ago, value]) => ({
          MetricName: 'CPUUtilization',
          Dimensions: [
            { Name: 'ServiceName', Value: service },
            { Name: 'ClusterName', Value: 'shop' },
          ],
          Timestamp: new Date(now - ago * MINUTE),
          Value: value,
          Unit: 'Percent',
        })),
      }),
    );
  }

  beforeAll(async () => {
    moto = await startMotoServer();
    client = createCloudWatchClient(clientOptions(moto.endpoint));
    // Counts GetMetricData calls as they leave the client.
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetMetricDataCommand') calls++;
        return next(args);
      },
      { step: 'initialize', name: 'countGetMetricData' },
    );
    // Written newest first, so that the order read back is the adapter's doing. Dimensions go in the
    // queries' order: moto 5.2.1 compares dimension lists in order (CloudWatch treats them as a set).
    await putCpu('checkout', [
      [5, 91],
      [20, 55],
      [40, 30],
    ]);
    await putCpu('payments', [
      [10, 12],
      [30, 14],
    ]);
    await putCpu('svc-599', [[15, 77]]);
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('should read datapoints back per query id, oldest first', async () => {
    // Prepare
    const source = new CloudWatchMetricsSource({ client });
    // Act
    const results = await source.getMetrics(
      [cpuQuery('checkout', 'checkout'), cpuQuery('payments', 'payments'), cpuQuery('idle', 'idle')],
      range,
    );
    // Assess
    expect(results.map((r) => r.id)).toEqual(['checkout', 'payments', 'idle']);
    expect(results[0]?.values).toEqual([30, 55, 91]);
    expect(results[0]?.timestamps.map((t) => t.getTime())).toEqual([
      now - 40 * MINUTE,
      now - 20 * MINUTE,
      now - 5 * MINUTE,
    ]);
    expect(results[1]?.values).toEqual([14, 12]);
    expect(results[2]).toEqual({ id: 'idle', timestamps: [], values: [] });
  });

  it('should split 600 queries into calls of at most 500 and merge the results', async () => {
    // Prepare
    const source = new CloudWatchMetricsSource({ client });
    const queries = Array.from({ length: 600 }, (_, i) =>
      cpuQuery(`q${i}`, i === 0 ? 'checkout' : `svc-${i}`),
    );
    calls = 0;
    // Act
    const results = await source.getMetrics(queries, range);
    // Assess
    expect(calls).toBe(2);
    expect(results).toHaveLength(600);
    expect(results[0]?.values).toEqual([30, 55, 91]);
    expect(results[599]).toMatchObject({ id: 'q599', values: [77] });
    expect(results.filter((r) => r.values.length > 0).map((r) => r.id)).toEqual(['q0', 'q599']);
  });

  it('should follow NextToken pages and merge one id across them', async () => {
    // Prepare: moto answers in one page, so the second page comes from a mock of this one client.
    const paged = createCloudWatchClient(clientOptions(moto.endpoint));
    const mock = mockClient(paged);
    const t = (m: number) => new Date(now - m * MINUTE);
    mock
      .on(GetMetricDataCommand)
      .resolvesOnce({
        MetricDataResults: [{ Id: 'a', Timestamps: [t(1), t(3)], Values: [1, 3] }],
        NextToken: 'p2',
      })
      .resolvesOnce({ MetricDataResults: [{ Id: 'a', Timestamps: [t(2), t(9)], Values: [2, 9] }] });
    const source = new CloudWatchMetricsSource({ client: paged });
    // Act
    const [a] = await source.getMetrics([cpuQuery('a', 'checkout')], range);
    // Assess
    expect(a?.values).toEqual([9, 3, 2, 1]);
    expect(mock.commandCalls(GetMetricDataCommand)).toHaveLength(2);
    expect(mock.commandCalls(GetMetricDataCommand)[1]?.args[0].input.NextToken).toBe('p2');
    mock.restore();
  });

  it('should refuse duplicate or malformed query ids before calling CloudWatch', async () => {
    // Prepare
    const source = new CloudWatchMetricsSource({ client });
    calls = 0;
    // Act / Assess
    await expect(source.getMetrics([cpuQuery('a', 'x'), cpuQuery('a', 'y')], range)).rejects.toThrow(
      /used twice/,
    );
    await expect(source.getMetrics([cpuQuery('Bad-id', 'x')], range)).rejects.toThrow(/must match/);
    expect(calls).toBe(0);
  });
});
