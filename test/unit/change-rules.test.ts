// What changed as evidence that can change the answer (issue 17 §1): each rule on the smallest
// hand-made graph that shows it, and the guard that an innocent release moves no clear answer.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import { parseTraceSummaries } from '../../lambdas/core/evidence/trace-summaries.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { lookupEventJson } from '../../lambdas/simulator/change-events.ts';
import { traceSummaryJson } from '../../lambdas/simulator/trace-summaries.ts';
import { edge, INCIDENT_START, node, type Part, snapshot } from './graph-kit.ts';

/** A release of `service` `minutes` before the incident window starts. */
function released(...services: readonly (readonly [string, number])[]) {
  return parseLookupEvents({
    Events: services.map(([service, minutes], i) =>
      lookupEventJson({
        id: `ev-${i}`,
        eventName: 'UpdateService',
        source: 'ecs.amazonaws.com',
        at: INCIDENT_START - minutes * 60,
        who: 'deploy-bot',
        resourceType: 'AWS::ECS::Service',
        resourceName: `arn:aws:ecs:eu-west-1:123456789012:service/prod/${service}`,
      }),
    ),
  });
}

function run(
  incident: readonly Part[],
  baseline: readonly Part[],
  changes?: ReturnType<typeof released>,
  service?: string,
): Finding {
  return analyze(parseSnapshot(snapshot(incident, baseline)), {
    ...(service ? { service } : {}),
    ...(changes ? { evidence: { changes } } : {}),
  });
}

describe('Function: analyze (changes as evidence)', () => {
  it("should list a changed callee of a failing caller, with the change as its first evidence line, though the callee's figures are flat", () => {
    // Prepare: orders fails 30 % of its requests (0 % before); pricing, which orders calls, answers
    // 200 quickly in both windows and was released 4 minutes before the start: a contract break
    const world = (faults: number): Part[] => [
      node('web', { n: 1000, faults, mean: 0.05 }),
      edge('web', 'orders', { n: 1000, faults, mean: 0.04 }),
      node('orders', { n: 1000, faults, mean: 0.04 }),
      edge('orders', 'pricing', { n: 1000, mean: 0.01 }),
      node('pricing', { n: 1000, mean: 0.01 }),
    ];

    // Act (688418f: pricing never named)
    const finding = run(world(300), world(0), released(['pricing', 4]));

    // Assess
    const pricing = finding.rootCauses.find((r) => r.service === 'pricing');
    expect(pricing).toBeDefined();
    expect(pricing?.kind).toBe('change');
    expect(pricing?.evidence[0]?.signal).toBe('change');
    expect(pricing?.evidence[0]?.text).toMatch(
      /pricing changed 4 min before the start .*orders, which calls it/,
    );
    // Listed right behind the caller it would explain, not in front of the graph's own answer.
    expect(finding.rootCauses[0]?.service).toBe('orders');
    expect(pricing?.rank).toBe(2);
  });

  it('should rank first one change that explains two services that look like separate origins', () => {
    // Prepare: a and b both fail 20 % on their own (no callee shows it); both call shared-lib,
    // released 3 minutes before the start, whose figures stay flat
    const world = (faults: number): Part[] => [
      node('web', { n: 2000, faults: 2 * faults, mean: 0.05 }),
      edge('web', 'a', { n: 1000, faults, mean: 0.03 }),
      edge('web', 'b', { n: 1000, faults, mean: 0.03 }),
      node('a', { n: 1000, faults, mean: 0.03 }),
      node('b', { n: 1000, faults, mean: 0.03 }),
      edge('a', 'shared-lib', { n: 1000, mean: 0.01 }),
      edge('b', 'shared-lib', { n: 1000, mean: 0.01 }),
      node('shared-lib', { n: 2000, mean: 0.01 }),
    ];

    // Act (688418f: a and b, shared-lib never named)
    const without = run(world(200), world(0));
    const withChange = run(world(200), world(0), released(['shared-lib', 3]));

    // Assess
    expect(
      without.rootCauses
        .map((r) => r.service)
        .slice(0, 2)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(withChange.rootCauses[0]?.service).toBe('shared-lib');
    expect(withChange.rootCauses[0]?.evidence[0]?.text).toMatch(/explains 2 services .*a, b/);
  });

  it('should list the changed services nearest the alarmed service when the graph shows nothing', () => {
    // Prepare: the same figures in both windows; far (two calls away) and near (one call away)
    // released, far more recently
    const world: Part[] = [
      node('api', { n: 1000, mean: 0.05 }),
      edge('api', 'near', { n: 1000, mean: 0.02 }),
      node('near', { n: 1000, mean: 0.02 }),
      edge('near', 'far', { n: 1000, mean: 0.01 }),
      node('far', { n: 1000, mean: 0.01 }),
    ];

    // Act (688418f: no root cause at all)
    const finding = run(world, world, released(['far', 1], ['near', 20]), 'api');

    // Assess
    expect(finding.status).toBe('COMPLETED');
    expect(finding.rootCauses.map((r) => r.service)).toEqual(['near', 'far']);
    expect(finding.rootCauses[0]?.confidence).toBeLessThan(0.3);
    expect(finding.rootCauses[0]?.evidence[0]?.text).toMatch(/the graph shows no degradation/);
  });

  it('should keep a clear answer when an unrelated service was released in the same batch', () => {
    // Prepare: db's own latency rises 10×; search, which nothing degraded calls, was released
    const world = (dbMean: number): Part[] => [
      node('web', { n: 1000, mean: 0.02 + dbMean }),
      edge('web', 'db', { n: 1000, mean: dbMean }),
      node('db', { n: 1000, mean: dbMean }),
      edge('web', 'search', { n: 500, mean: 0.01 }),
      node('search', { n: 500, mean: 0.01 }),
    ];

    // Act
    const graphOnly = run(world(0.5), world(0.05));
    const finding = run(world(0.5), world(0.05), released(['search', 2]));

    // Assess
    expect(graphOnly.rootCauses[0]?.service).toBe('db');
    expect(finding.rootCauses[0]?.service).toBe('db');
    expect(finding.rootCauses.some((r) => r.service === 'search')).toBe(false);
  });

  /** web → orders → pricing: orders' own time and pricing's latency as given, n requests in each window. */
  const chain = (n: number, ordersOwn: number, pricingMean: number): Part[] => [
    node('web', { n, mean: 0.01 + ordersOwn + pricingMean }),
    edge('web', 'orders', { n, mean: ordersOwn + pricingMean }),
    node('orders', { n, mean: ordersOwn + pricingMean }),
    edge('orders', 'pricing', { n, mean: pricingMean }),
    node('pricing', { n, mean: pricingMean }),
  ];

  it("should rank first a changed service that the graph's unsure answer calls, with the change as its first evidence line", () => {
    // Prepare: over 30 requests a window, orders' own time grows 40 → 300 ms and pricing, which
    // orders calls, 10 → 25 ms: the graph leans to orders without being sure (few requests);
    // pricing was released 3 minutes before the start
    const incident = chain(30, 0.3, 0.025);
    const baseline = chain(30, 0.04, 0.01);

    // Act (00483c8: orders first, pricing far behind it)
    const graphOnly = run(incident, baseline);
    const finding = run(incident, baseline, released(['pricing', 3]));

    // Assess
    expect(graphOnly.rootCauses.map((r) => r.service)).toEqual(['orders', 'pricing']);
    expect(graphOnly.rootCauses[0]?.confidence).toBeLessThan(0.8);
    expect(finding.rootCauses[0]?.service).toBe('pricing');
    expect(finding.rootCauses[0]?.evidence[0]?.text).toMatch(
      /pricing changed 3 min before the start .*explains orders's degradation, which depends on it/,
    );
  });

  it('should keep a clear answer first when a service it calls was released', () => {
    // Prepare: the same rise over 1,000 requests a window: the graph is sure of orders
    const graphOnly = run(chain(1000, 0.3, 0.025), chain(1000, 0.04, 0.01));

    // Act
    const finding = run(chain(1000, 0.3, 0.025), chain(1000, 0.04, 0.01), released(['pricing', 3]));

    // Assess
    expect(graphOnly.rootCauses[0]?.confidence).toBeGreaterThanOrEqual(0.8);
    expect(finding.rootCauses[0]?.service).toBe('orders');
  });

  it("should keep the graph's answer first when it was released in the same batch as a weaker service it calls", () => {
    // Act: the unsure world above, orders and pricing released together
    const finding = run(
      chain(30, 0.3, 0.025),
      chain(30, 0.04, 0.01),
      released(['pricing', 2], ['orders', 3]),
    );

    // Assess: the graph, not the batch, tells two released services apart
    expect(finding.rootCauses[0]?.service).toBe('orders');
  });

  it('should not move a released service in front of an answer that does not depend on it', () => {
    // Prepare: orders' own time grows 40 → 300 ms; search, beside it (web calls both), rises
    // 10 → 25 ms and was released
    const world = (ordersMean: number, searchMean: number): Part[] => [
      node('web', { n: 2000, mean: 0.01 + (ordersMean + searchMean) / 2 }),
      edge('web', 'orders', { n: 1000, mean: ordersMean }),
      node('orders', { n: 1000, mean: ordersMean }),
      edge('web', 'search', { n: 1000, mean: searchMean }),
      node('search', { n: 1000, mean: searchMean }),
    ];

    // Act
    const graphOnly = run(world(0.3, 0.025), world(0.04, 0.01));
    const finding = run(world(0.3, 0.025), world(0.04, 0.01), released(['search', 2]));

    // Assess
    expect(graphOnly.rootCauses.map((r) => r.service).slice(0, 2)).toEqual(['orders', 'search']);
    expect(finding.rootCauses[0]?.service).toBe('orders');
  });

  /** web calls api and search, n calls each: web's calls to api wait `linkExtra` beyond api's own 20 ms. */
  const beside = (n: number, linkExtra: number, searchMean: number): Part[] => [
    node('web', { n: 2 * n, mean: 0.01 + (0.02 + linkExtra + searchMean) / 2 }),
    edge('web', 'api', { n, mean: 0.02 + linkExtra }),
    node('api', { n, mean: 0.02 }),
    edge('web', 'search', { n, mean: searchMean }),
    node('search', { n, mean: searchMean }),
  ];

  it('should rank first a released service whose own figures degraded over an unsure link fault no release explains', () => {
    // Prepare: over 40 calls, web's calls to api wait 100 ms more while api's own figures are
    // flat (a network or proxy in front of api), and search's own latency goes 10 → 50 ms;
    // search was released 2 minutes before the start
    const incident = beside(40, 0.1, 0.05);
    const baseline = beside(40, 0, 0.01);

    // Act (b54c60c: api first, the release of search behind it)
    const graphOnly = run(incident, baseline);
    const finding = run(incident, baseline, released(['search', 2]));

    // Assess
    expect(graphOnly.rootCauses.map((r) => [r.service, r.kind])).toEqual([
      ['api', 'slow-link'],
      ['search', 'latency'],
    ]);
    expect(graphOnly.rootCauses[0]?.confidence).toBeLessThan(0.8);
    expect(finding.rootCauses.map((r) => r.service)).toEqual(['search', 'api']);
    // The two trade confidences: the first line never reads less likely than the second
    expect(finding.rootCauses.map((r) => r.confidence)).toEqual(
      graphOnly.rootCauses.map((r) => r.confidence),
    );
    expect(finding.rootCauses[0]?.evidence[0]?.text).toMatch(
      /^search changed 2 min before the start .*, and its own figures degraded, while api's line is in the calls around services \(a network, a proxy, an endpoint\), which no release explains$/,
    );
  });

  it('should rank first a released service whose own figures degraded over an unsure endpoint the account does not run', () => {
    // Prepare: web calls pay.example.com (an X-Ray remote node) and search, 40 calls each; the
    // endpoint's latency goes 20 → 100 ms, search's 10 → 40 ms, and search was released
    const world = (remoteMean: number, searchMean: number): Part[] => [
      node('web', { n: 80, mean: 0.01 + (remoteMean + searchMean) / 2 }),
      edge('web', 'pay.example.com', { n: 40, mean: remoteMean }),
      node('pay.example.com', { n: 40, mean: remoteMean, type: 'remote' }),
      edge('web', 'search', { n: 40, mean: searchMean }),
      node('search', { n: 40, mean: searchMean }),
    ];

    // Act
    const graphOnly = run(world(0.1, 0.04), world(0.02, 0.01));
    const finding = run(world(0.1, 0.04), world(0.02, 0.01), released(['search', 4]));

    // Assess
    expect(graphOnly.rootCauses.map((r) => r.service)).toEqual(['pay.example.com', 'search']);
    expect(graphOnly.rootCauses[0]?.confidence).toBeLessThan(0.8);
    expect(finding.rootCauses.map((r) => r.service)).toEqual(['search', 'pay.example.com']);
  });

  it('should keep an unsure link fault first when its own service was released in the same batch', () => {
    // Act
    const finding = run(beside(40, 0.1, 0.05), beside(40, 0, 0.01), released(['search', 2], ['api', 2]));

    // Assess: api's release could explain its link as well as search's explains search
    expect(finding.rootCauses[0]?.service).toBe('api');
  });

  it('should keep a clear link fault first when a service beside it was released', () => {
    // Prepare: 200 ms more on 1,000 calls to api; search 10 → 30 ms
    const incident = beside(1000, 0.2, 0.03);
    const baseline = beside(1000, 0, 0.01);

    // Act
    const graphOnly = run(incident, baseline);
    const finding = run(incident, baseline, released(['search', 2]));

    // Assess
    expect(graphOnly.rootCauses[0]?.confidence).toBeGreaterThanOrEqual(0.8);
    expect(finding.rootCauses[0]?.service).toBe('api');
  });

  it('should give exactly the graph-only ranking when there are no changes', () => {
    // Prepare
    const world = (faults: number): Part[] => [
      node('web', { n: 1000, faults, mean: 0.05 }),
      edge('web', 'orders', { n: 1000, faults, mean: 0.04 }),
      node('orders', { n: 1000, faults, mean: 0.04 }),
    ];

    // Act
    const a = run(world(300), world(0));
    const b = run(world(300), world(0), parseLookupEvents({ Events: [] }));

    // Assess
    expect(b.rootCauses.map((r) => [r.service, r.score])).toEqual(
      a.rootCauses.map((r) => [r.service, r.score]),
    );
  });
  it('should carry no change, user or resource of a service outside an alarm-scoped finding', () => {
    // Prepare: api calls db; billing, which api does not reach, was released by deploy-bot
    const world = (dbMean: number): Part[] => [
      node('api', { n: 1000, mean: 0.02 + dbMean }),
      edge('api', 'db', { n: 1000, mean: dbMean }),
      node('db', { n: 1000, mean: dbMean }),
      node('billing', { n: 300, mean: 0.03 }),
    ];

    // Act
    const finding = run(world(0.5), world(0.05), released(['billing', 2], ['db', 3]), 'api');

    // Assess
    expect(finding.changes?.map((c) => c.services)).toEqual([['db']]);
    expect(JSON.stringify(finding)).not.toContain('service/prod/billing');
  });
  it('should list a service that X-Ray names in most traces though its averages in the graph are flat', () => {
    // Prepare: orders fails 30 % of its requests; ledger answers 0.2 % failures over 20,000
    // requests (as in the baseline), but X-Ray's trace summaries name it in 9 of 10 traces
    const world = (faults: number): Part[] => [
      node('web', { n: 1000, faults, mean: 0.05 }),
      edge('web', 'orders', { n: 1000, faults, mean: 0.04 }),
      node('orders', { n: 1000, faults, mean: 0.04 }),
      edge('orders', 'ledger', { n: 20_000, faults: 40, mean: 0.01 }),
      node('ledger', { n: 20_000, faults: 40, mean: 0.01 }),
    ];
    const causes = (service: string, n: number) =>
      Array.from({ length: n }, (_, i) =>
        traceSummaryJson({
          id: `1-${service}-${i}`,
          start: INCIDENT_START + i,
          responseTime: 0.2,
          causes: [{ kind: 'fault', service, exceptions: [{ name: 'LedgerLockTimeout' }] }],
        }),
      );
    const traces = parseTraceSummaries({ TraceSummaries: [...causes('ledger', 9), ...causes('orders', 1)] });

    // Act (688418f: ledger never named)
    const finding = analyze(parseSnapshot(snapshot(world(300), world(0))), { evidence: { traces } });

    // Assess
    const ledger = finding.rootCauses.find((r) => r.service === 'ledger');
    expect(ledger?.kind).toBe('traces');
    expect(ledger?.evidence[0]?.text).toMatch(
      /X-Ray names ledger as the root cause in 9 of 10 traces .*LedgerLockTimeout/,
    );
    expect(finding.rootCauses[0]?.service).toBe('orders');
  });
});
