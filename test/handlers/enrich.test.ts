import { describe, expect, it } from 'vitest';
import type { WatchedService } from '../../lambdas/handlers/contracts.ts';
import { enrich } from '../../lambdas/handlers/enrich.ts';
import { COLLECTED, FakeMetricsSource } from './fakes.ts';

const cpu = (serviceName: string): WatchedService['cpuMetric'] => ({
  namespace: 'AWS/ECS',
  metricName: 'CPUUtilization',
  dimensions: { ClusterName: 'shop', ServiceName: serviceName },
});

describe('Handler: enrich', () => {
  it('should not call CloudWatch when no watched service has a CPU metric', async () => {
    // Prepare
    const metricsSource = new FakeMetricsSource();

    // Act
    const enriched = await enrich(COLLECTED, { metricsSource, watched: [{ name: 'frontend' }] });

    // Assess
    expect(enriched).toEqual({ ...COLLECTED, metrics: {} });
    expect(metricsSource.calls).toHaveLength(0);
  });

  it('should average each CPU metric over the incident window', async () => {
    // Prepare
    const metricsSource = new FakeMetricsSource((q) =>
      q.dimensions.ServiceName === 'payments' ? [90, 95, 100] : [],
    );
    const watched: WatchedService[] = [
      { name: 'frontend' },
      { name: 'payment-service', cpuMetric: cpu('payments') },
      { name: 'order-service', cpuMetric: cpu('orders') },
    ];

    // Act
    const enriched = await enrich(COLLECTED, { metricsSource, watched });

    // Assess
    expect(enriched.metrics).toEqual({ 'payment-service': { cpuPercent: 95 }, 'order-service': {} });
    const call = metricsSource.calls[0];
    expect(metricsSource.calls).toHaveLength(1);
    expect(call?.range).toEqual({
      start: new Date(COLLECTED.window.start),
      end: new Date(COLLECTED.window.end),
    });
    expect(call?.queries[0]).toEqual({
      id: 'cpu0',
      namespace: 'AWS/ECS',
      metricName: 'CPUUtilization',
      dimensions: { ClusterName: 'shop', ServiceName: 'payments' },
      stat: 'Average',
      periodSeconds: 60,
    });
  });

  it('should go on without metrics when CloudWatch refuses, and say so', async () => {
    // Prepare
    const denied = Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' });
    const told: unknown[] = [];

    // Act
    const enriched = await enrich(COLLECTED, {
      metricsSource: new FakeMetricsSource(() => denied),
      watched: [{ name: 'payment-service', cpuMetric: cpu('payments') }],
      onMetricsUnavailable: (e) => told.push(e),
    });

    // Assess
    expect(enriched.metrics).toEqual({});
    expect(told).toEqual([denied]);
  });

  it('should let throttling through so that Step Functions retries it', async () => {
    // Prepare
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });

    // Act & Assess
    await expect(
      enrich(COLLECTED, {
        metricsSource: new FakeMetricsSource(() => throttled),
        watched: [{ name: 'payment-service', cpuMetric: cpu('payments') }],
      }),
    ).rejects.toBe(throttled);
  });
});
