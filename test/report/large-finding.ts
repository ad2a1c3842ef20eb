// A worst case for every rendering's size limits: a 10,000-service finding where every service is
// in the cascade, names are long and multi-byte, every list is as long as it can be.

import type { ChainEntry, Finding, RootCause, ServiceHealth, ServiceRole } from '../../lambdas/core/model.ts';

const LATENCY = { mean: 0.4, p50: 0.3, p90: 0.9, p99: 2.1 } as const;

export function serviceName(i: number): string {
  return `svc-${String(i).padStart(5, '0')}-zählwerk-ßervice-${'x'.repeat(40)}`;
}

export function hugeFinding(count = 10_000): Finding {
  const names = Array.from({ length: count }, (_, i) => serviceName(i));
  const roleOf = (i: number): ServiceRole => (i === 0 ? 'origin' : i % 3 === 0 ? 'affected' : 'propagator');
  const services: ServiceHealth[] = names.map((service, i) => ({
    service,
    type: 'AWS::ECS::Container',
    key: `${service}|AWS::ECS::Container`,
    role: roleOf(i),
    requests: 100_000 - i,
    requestRate: 100,
    faultRate: 0.2,
    errorRate: 0.01,
    throttleRate: 0,
    latency: LATENCY,
    baseline: { requests: 90_000, faultRate: 0.001, errorRate: 0.01, throttleRate: 0, latency: LATENCY },
    unhealthy: true,
    anomalous: true,
    signals: ['faults', 'latency'],
    selfShare: i === 0 ? 1 : 0.1,
  }));
  const chain: ChainEntry[] = names.map((service, i) => ({
    service,
    type: 'AWS::ECS::Container',
    depth: i === 0 ? 0 : 1 + Math.floor(Math.log2(i)),
    parent: i === 0 ? null : (names[Math.floor((i - 1) / 2)] ?? null),
    role: roleOf(i),
    faultRate: 0.2,
    p99: 2.1,
  }));
  const rootCause = (rank: number): RootCause => ({
    rank,
    service: names[rank - 1] ?? 'none',
    type: 'AWS::ECS::Container',
    kind: 'faults',
    kinds: ['faults'],
    score: 2 / rank,
    confidence: 0.9 / rank,
    impactScore: 90,
    evidence: Array.from({ length: 20 }, (_, k) => ({
      signal: 'faults' as const,
      text: `evidence ${k}: failure rate 20.0 % over 100000 requests, baseline 0.1 % — ${'ü'.repeat(500)}`,
      incident: 0.2,
      baseline: 0.001,
      requests: 100_000,
    })),
    blastRadius: {
      affected: names.slice(1),
      atRisk: names.slice(1),
      entryPoints: names.slice(0, 2000),
      entryTrafficShare: 1,
    },
  });
  return {
    analysisId: 'alarm-huge-10k',
    status: 'COMPLETED',
    method: 'engine',
    trigger: { source: 'alarm', service: names[count - 1] ?? 'x', alarmName: `alarm-${'a'.repeat(200)}` },
    window: { start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:15:00.000Z' },
    baselineWindow: { start: '2026-11-20T02:00:00.000Z', end: '2026-11-20T03:00:00.000Z' },
    rootCauses: [1, 2, 3, 4, 5].map(rootCause),
    dependencyChain: chain,
    cascade: {
      paths: Array.from({ length: 1000 }, (_, p) => ({
        rank: 1 + (p % 5),
        origin: names[p % 5] ?? '',
        services: names.slice(p % 5, (p % 5) + 40),
      })),
    },
    services,
    recommendations: names.map((service) => ({
      service,
      action: 'retry-budget' as const,
      text: `${service} retries ${'é'.repeat(1500)}`,
    })),
    systemHealth: 0.01,
    summary: 'ß'.repeat(200_000),
    engineVersion: '0.1.0',
  };
}
