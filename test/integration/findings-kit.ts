// Findings for the adapter tests: a small realistic cascade and a 10,000-service one that is far
// over DynamoDB's item limit and SNS's message limit when serialized whole.

import type { ChainEntry, Finding, RootCause, ServiceHealth, ServiceRole } from '../../lambdas/core/model.ts';

const LATENCY = { mean: 0.05, p50: 0.04, p90: 0.09, p99: 0.2 } as const;

function health(service: string, role: ServiceRole): ServiceHealth {
  const bad = role !== 'healthy';
  return {
    service,
    type: 'AWS::ECS::Container',
    key: `${service}|AWS::ECS::Container`,
    role,
    requests: 1200,
    requestRate: 2,
    faultRate: bad ? 0.2 : 0,
    errorRate: 0,
    throttleRate: 0,
    latency: LATENCY,
    baseline: { requests: 1100, faultRate: 0, errorRate: 0, throttleRate: 0, latency: LATENCY },
    unhealthy: bad,
    anomalous: bad,
    signals: bad ? ['faults'] : [],
    selfShare: role === 'origin' ? 1 : 0,
  };
}

function rootCause(rank: number, service: string, atRisk: readonly string[]): RootCause {
  return {
    rank,
    service,
    type: 'AWS::ECS::Container',
    kind: 'faults',
    kinds: ['faults'],
    score: 0.9 / rank,
    confidence: 0.94 / rank,
    impactScore: 72,
    evidence: [
      {
        signal: 'faults',
        text: `${service} failed 20.0 % of 2909 requests (baseline 0.0 %).`,
        incident: 0.2,
        baseline: 0,
        requests: 2909,
      },
    ],
    blastRadius: {
      affected: atRisk.slice(0, 2),
      atRisk,
      entryPoints: ['web'],
      entryTrafficShare: 0.8,
    },
  };
}

export interface FindingOptions {
  readonly analysisId: string;
  /** The alarmed service (the index partition). @default 'checkout' */
  readonly service?: string;
  /** ISO end of the incident window (the list's time). @default '2026-11-20T03:15:00.000Z' */
  readonly end?: string;
  readonly summary?: string;
}

/** payment-api (origin) → checkout (propagator) → web (affected, entry point); db healthy. */
export function makeFinding(options: FindingOptions): Finding {
  const end = options.end ?? '2026-11-20T03:15:00.000Z';
  const start = new Date(Date.parse(end) - 15 * 60_000).toISOString();
  return {
    analysisId: options.analysisId,
    status: 'COMPLETED',
    method: 'engine',
    trigger: { source: 'alarm', service: options.service ?? 'checkout', alarmName: 'checkout-5xx' },
    window: { start, end },
    baselineWindow: { start: new Date(Date.parse(start) - 3_600_000).toISOString(), end: start },
    rootCauses: [rootCause(1, 'payment-api', ['checkout', 'web'])],
    dependencyChain: [
      {
        service: 'checkout',
        type: 'AWS::ECS::Container',
        depth: 0,
        parent: null,
        role: 'propagator',
        faultRate: 0.2,
        p99: 0.2,
      },
      {
        service: 'payment-api',
        type: 'AWS::ECS::Container',
        depth: 1,
        parent: 'checkout',
        role: 'origin',
        faultRate: 0.2,
        p99: 0.2,
      },
      {
        service: 'db',
        type: 'AWS::ECS::Container',
        depth: 1,
        parent: 'checkout',
        role: 'healthy',
        faultRate: 0,
        p99: 0.01,
      },
    ],
    cascade: { paths: [{ rank: 1, origin: 'payment-api', services: ['payment-api', 'checkout', 'web'] }] },
    services: [
      health('checkout', 'propagator'),
      health('db', 'healthy'),
      health('payment-api', 'origin'),
      health('web', 'affected'),
    ],
    recommendations: [
      {
        service: 'checkout',
        action: 'circuit-breaker',
        text: 'payment-api fails 20.0 % of calls: put a circuit breaker in checkout with a fallback queue.',
      },
    ],
    systemHealth: 0.62,
    summary:
      options.summary ??
      'Most likely root cause: payment-api (faults, confidence 94 %). It reaches users through checkout → web.',
    engineVersion: '0.1.0',
  };
}

/**
 * 10,000 services of which 8 are not healthy, a 10,000-entry dependency chain and two root causes
 * whose blast radius lists 3,000 services each: megabytes as JSON.
 */
export function largeFinding(analysisId: string, count = 10_000): Finding {
  const names = Array.from({ length: count }, (_, i) => `svc-${String(i).padStart(5, '0')}`);
  const roleOf = (i: number): ServiceRole =>
    i === 0 ? 'origin' : i < 3 ? 'propagator' : i < 8 ? 'affected' : 'healthy';
  const chain: ChainEntry[] = names.map((service, i) => ({
    service,
    type: 'AWS::ECS::Container',
    depth: i === 0 ? 0 : 1 + Math.floor(Math.log2(i)),
    parent: i === 0 ? null : (names[Math.floor((i - 1) / 2)] ?? null),
    role: roleOf(i),
    faultRate: i < 8 ? 0.2 : 0,
    p99: 0.2,
  }));
  const base = makeFinding({ analysisId, service: 'svc-09999' });
  return {
    ...base,
    rootCauses: [
      rootCause(1, 'svc-00000', names.slice(1, 3001)),
      rootCause(2, 'svc-00001', names.slice(3001, 6001)),
    ],
    dependencyChain: chain,
    cascade: { paths: [{ rank: 1, origin: 'svc-00000', services: ['svc-00000', 'svc-00001', 'svc-09999'] }] },
    services: names.map((n, i) => health(n, roleOf(i))),
    summary: 'Most likely root cause: svc-00000 (faults, confidence 94 %). 7 other services are degraded.',
  };
}
