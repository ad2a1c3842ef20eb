import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseFault } from '../../lambdas/simulator/faults.ts';
import { topologyFromGraph } from '../../lambdas/simulator/from-graph.ts';
import { predict } from '../../lambdas/simulator/predict.ts';
import { builtinTopology } from '../../lambdas/simulator/topologies/index.ts';
import { compileTopology } from '../../lambdas/simulator/topology.ts';
import { renderWhatIf, whatIf } from '../../lambdas/simulator/what-if.ts';

const EXAMPLE = resolve(import.meta.dirname, '../../examples/shop-incident.json');
const exported = () => JSON.parse(readFileSync(EXAMPLE, 'utf8')) as { incident: unknown; baseline: unknown };

describe('What-if: a topology from an exported graph', () => {
  it('should take the services, calls and traffic of the baseline window', () => {
    // Act
    const t = topologyFromGraph(exported(), 'shop-incident.json');
    // Assess
    expect(t.window).toBe('baseline');
    expect(t.spec.services.map((s) => s.name).sort()).toEqual([
      'api.payments.example.com',
      'frontend',
      'inventory-db',
      'inventory-service',
      'order-service',
      'payment-service',
      'user-service',
      'users',
    ]);
    expect(t.spec.traffic).toBeGreaterThan(55);
    expect(t.spec.traffic).toBeLessThan(65);
    const frontend = t.spec.services.find((s) => s.name === 'frontend');
    const toOrders = frontend?.calls?.find((c) => c.to === 'order-service');
    expect(toOrders?.perRequest).toBeCloseTo(0.4, 1);
    // The incident shows how much of the API's failures payment-service passes on.
    const payment = t.spec.services.find((s) => s.name === 'payment-service');
    expect(payment?.calls?.[0]?.passOn).toBeGreaterThan(0.9);
  });

  it('should read a bare GetServiceGraph response as well', () => {
    const t = topologyFromGraph(exported().incident, 'incident.json');
    expect(t.window).toBe('graph');
    expect(t.spec.services).toHaveLength(8);
  });
});

describe('What-if: an outage of the external payment API on the shop example', () => {
  const topo = compileTopology(topologyFromGraph(exported(), 'shop-incident.json').spec);
  const { report } = whatIf(topo, [parseFault('api.payments.example.com:unavailable')], {
    source: 'shop example',
  });

  it('should predict frontend, order-service and payment-service affected, and nothing else', () => {
    expect(report.prediction.affected.map((a) => a.service).sort()).toEqual([
      'frontend',
      'order-service',
      'payment-service',
    ]);
    expect(report.prediction.entryPoints.map((e) => e.service)).toEqual(['frontend']);
    expect(report.prediction.unaffected).toEqual([
      'inventory-db',
      'inventory-service',
      'user-service',
      'users',
    ]);
  });

  it('should give the share of user traffic that reaches the API and that would fail', () => {
    const u = report.prediction.userTraffic;
    expect(u.reach).toBeGreaterThan(0.38);
    expect(u.reach).toBeLessThan(0.42);
    expect(u.failing).toBeGreaterThan(0.3);
    expect(u.failing).toBeLessThan(u.reach);
  });

  it('should show the engine naming the API as root cause of the simulated incident, with the same services affected', () => {
    expect(report.engine.rankOfInjected).toBe(1);
    expect(report.engine.rootCause).toBe('api.payments.example.com');
    expect(report.engine.predictedAffectedFound).toBe(3);
    const text = renderWhatIf(report);
    expect(text).toContain('WHAT IF  api.payments.example.com is down: every connection is refused');
    expect(text).toMatch(/affected \(3\): payment-service, order-service, frontend/);
    expect(text).toMatch(/users' requests that reach the fault:\s+\d+\.\d %/);
    expect(text).toMatch(
      /root cause\s+api\.payments\.example\.com, an external dependency.*← the injected fault/,
    );
  });
});

describe('What-if: prediction on a shipped topology', () => {
  it('should count load from retries and mark at risk every caller of the faulted service', () => {
    // Act: KMS is called through the AWS SDK, which retries twice
    const t = compileTopology(builtinTopology('generated:200'));
    const p = predict(t, [
      { ...parseFault('KMS:error:0.5'), index: t.byLabel.get('KMS') ?? -1, label: 'KMS' },
    ]);
    // Assess
    const kms = p.faulted[0];
    expect(kms?.loadAfter).toBeGreaterThan(1.4 * (kms?.loadBefore ?? 0));
    expect(p.atRisk.length).toBeGreaterThan(p.affected.length / 2);
    expect(p.userTraffic.reach).toBeGreaterThan(0);
  });
});
