// Blending the independent evidence into the engine's ranking: traces that agree, traces that
// disagree, no traces; a change near the start, its bound, and no evidence at all (same bytes).

import { describe, expect, it } from 'vitest';
import { type AnalyzeOptions, analyze } from '../../lambdas/core/analyze.ts';
import {
  type AnalysisEvidence,
  applyEvidence,
  DEFAULT_EVIDENCE_CONFIG,
  traceConsoleUrl,
} from '../../lambdas/core/evidence/blend.ts';
import { parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import { parseTraceSummaries } from '../../lambdas/core/evidence/trace-summaries.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { lookupEventJson } from '../../lambdas/simulator/change-events.ts';
import { traceSummaryJson } from '../../lambdas/simulator/trace-summaries.ts';
import { edge, INCIDENT_START, node, type Part, snapshot } from './graph-kit.ts';

/** api calls pay and stock, both failing on their own: the graph ranks pay (more faults) just above stock. */
function ambiguous(payFaults: number, stockFaults: number, quiet = false): Part[] {
  const f = (n: number) => (quiet ? 0 : n);
  return [
    node('api', { n: 1000, faults: f(payFaults + stockFaults), mean: 0.05 }),
    node('pay', { n: 1000, faults: f(payFaults), mean: 0.02 }),
    node('stock', { n: 1000, faults: f(stockFaults), mean: 0.02 }),
    node('cache', { n: 1000, mean: 0.01 }),
    edge('api', 'pay', { n: 1000, faults: f(payFaults), mean: 0.02 }),
    edge('api', 'stock', { n: 1000, faults: f(stockFaults), mean: 0.02 }),
    edge('api', 'cache', { n: 1000, mean: 0.01 }),
  ];
}

const graph = () => parseSnapshot(snapshot(ambiguous(60, 50), ambiguous(60, 50, true)));
const run = (evidence?: AnalysisEvidence, options: AnalyzeOptions = {}): Finding =>
  analyze(graph(), { ...options, ...(evidence ? { evidence } : {}) });

/** `n` faulty traces X-Ray blames on each service listed, in order. */
function traces(blame: Record<string, number>) {
  const list: Record<string, unknown>[] = [];
  for (const [service, n] of Object.entries(blame)) {
    for (let i = 0; i < n; i++) {
      list.push(
        traceSummaryJson({
          id: `1-${service}-${String(i).padStart(3, '0')}`,
          start: INCIDENT_START + i,
          responseTime: 0.5 + i / 100,
          causes: [{ kind: 'fault', service, exceptions: [{ name: `${service}Exception` }] }],
        }),
      );
    }
  }
  return parseTraceSummaries({ TraceSummaries: list });
}

/** A change to `resource` `minutesBefore` the incident window's start. */
function change(resource: string, minutesBefore: number) {
  return parseLookupEvents({
    Events: [
      lookupEventJson({
        id: `ev-${resource}-${minutesBefore}`,
        eventName: 'UpdateFunctionCode20150331v2',
        source: 'lambda.amazonaws.com',
        at: INCIDENT_START - minutesBefore * 60,
        who: 'deploy-bot',
        resourceName: `arn:aws:lambda:eu-west-1:123456789012:function:${resource}`,
      }),
    ],
  });
}

const order = (f: Finding) => f.rootCauses.map((r) => r.service);
const scoreOf = (f: Finding, service: string) => f.rootCauses.find((r) => r.service === service)?.score ?? 0;

describe('Function: applyEvidence (through analyze)', () => {
  const graphOnly = run();

  it('should start from a graph that ranks pay just above stock', () => {
    // Assess
    expect(order(graphOnly)).toEqual(['pay', 'stock']);
    expect(scoreOf(graphOnly, 'stock') / scoreOf(graphOnly, 'pay')).toBeGreaterThan(0.6);
  });

  it('should give byte-identical findings with no evidence, or evidence with nothing in it', () => {
    // Act
    const none = run(undefined);
    const empty = run({ region: 'eu-west-1' });
    // Assess
    expect(JSON.stringify(none)).toBe(JSON.stringify(graphOnly));
    expect(JSON.stringify(empty)).toBe(JSON.stringify(graphOnly));
  });

  it('should keep the order and say so when the traces agree, with exceptions and linked exemplars', () => {
    // Act
    const f = run({ traces: traces({ pay: 9, stock: 1 }), region: 'eu-west-1' });
    // Assess
    expect(order(f)).toEqual(['pay', 'stock']);
    expect(f.evidenceNotes?.map((n) => n.kind)).toEqual(['traces-agree']);
    expect(f.evidenceNotes?.[0]?.text).toContain('pay in 9 of 10 traces');
    expect(f.traces).toEqual({ read: 10, withRootCause: 10 });
    const top = f.rootCauses[0];
    expect(top?.traces?.exceptions).toEqual([{ name: 'payException', count: 9 }]);
    expect(top?.traces?.exemplars).toHaveLength(3);
    expect(top?.traces?.exemplars[0]).toEqual({
      traceId: '1-pay-008',
      url: traceConsoleUrl('eu-west-1', '1-pay-008'),
    });
    expect(scoreOf(f, 'pay')).toBeCloseTo(scoreOf(graphOnly, 'pay') * (1 + 0.5 * 0.9), 3);
  });

  it("should move the traces' service up and say so when the traces disagree", () => {
    // Act
    const f = run({ traces: traces({ stock: 10 }) });
    // Assess
    expect(order(f)).toEqual(['stock', 'pay']);
    expect(f.rootCauses.map((r) => r.rank)).toEqual([1, 2]);
    expect(f.evidenceNotes?.[0]?.kind).toBe('traces-disagree');
    expect(f.evidenceNotes?.[0]?.text).toMatch(/graph ranks pay first .*The traces move stock first/);
    expect(f.cascade.paths[0]?.origin).toBe('stock');
    expect(f.cascade.paths[0]?.rank).toBe(1);
    expect(f.summary).toContain('Most likely root cause: stock');
    expect(f.rootCauses[0]?.traces?.exemplars[0]).toEqual({ traceId: '1-stock-009' });
  });

  it("should list a service X-Ray blames in every trace though the graph does not rank it, behind the graph's answer", () => {
    // Act
    const f = run({ traces: traces({ cache: 10 }) });
    // Assess
    expect(order(f)[0]).toBe(order(graphOnly)[0]);
    expect(order(f).filter((s) => s !== 'cache')).toEqual(order(graphOnly));
    expect(f.rootCauses.find((r) => r.service === 'cache')?.kind).toBe('traces');
    expect(f.evidenceNotes?.[0]?.text).toMatch(/X-Ray blames cache .* and ranks it #2/);
  });

  it('should not weigh too few traces, but still report them', () => {
    // Act
    const f = run({ traces: traces({ stock: 2 }) });
    // Assess
    expect(order(f)).toEqual(order(graphOnly));
    expect(f.rootCauses.map((r) => r.score)).toEqual(graphOnly.rootCauses.map((r) => r.score));
    expect(f.evidenceNotes?.[0]?.kind).toBe('traces-inconclusive');
    expect(f.rootCauses.find((r) => r.service === 'stock')?.traces?.traces).toBe(2);
  });

  it('should boost a candidate changed just before the start by at most the change weight', () => {
    // Act
    const f = run({ changes: change('stock', 4) });
    // Assess
    const ratio = scoreOf(f, 'stock') / scoreOf(graphOnly, 'stock');
    expect(ratio).toBeCloseTo(1 + DEFAULT_EVIDENCE_CONFIG.changeWeight, 3);
    expect(f.changes).toEqual([
      expect.objectContaining({
        minutesBeforeStart: 4,
        what: 'Lambda code update',
        who: 'deploy-bot',
        services: ['stock'],
      }),
    ]);
    expect(f.rootCauses.find((r) => r.service === 'stock')?.changes).toHaveLength(1);
  });

  it('should weigh older changes less, down to nothing at the lookback', () => {
    // Act
    const at = (minutes: number) => scoreOf(run({ changes: change('stock', minutes) }), 'stock');
    // Assess
    const base = scoreOf(graphOnly, 'stock');
    expect(at(15) / base).toBeCloseTo(1.2, 3);
    expect(at(37.5) / base).toBeCloseTo(1.1, 3);
    expect(at(60) / base).toBeCloseTo(1, 3);
    expect(run({ changes: change('stock', 61) }).changes).toEqual([]);
  });

  it('should never make a healthy service the root cause because it changed', () => {
    // Act
    const f = run({ changes: change('cache', 1) });
    // Assess
    expect(order(f)).toEqual(order(graphOnly));
    expect(f.changes?.[0]?.services).toEqual(['cache']);
    expect(f.evidenceNotes).toBeUndefined();
    expect(f.recommendations[0]?.action).not.toBe('rollback');
  });

  it('should put a rollback first and note it when the top root cause changed just before the start', () => {
    // Act
    const f = run({ changes: change('pay', 4) });
    // Assess
    expect(f.recommendations[0]).toMatchObject({ service: 'pay', action: 'rollback' });
    expect(f.evidenceNotes?.[0]).toMatchObject({ kind: 'change-near-start' });
    expect(f.evidenceNotes?.[0]?.text).toContain('pay changed 4 min before the start');
    expect(f.summary).toContain('First step: pay changed 4 min before the start');
  });

  it('should bound the combined gain of traces and a change', () => {
    // Prepare
    const root = graphOnly.rootCauses;
    // Act
    const blended = applyEvidence(
      root,
      { traces: traces({ stock: 10 }), changes: change('stock', 1) },
      { window: graphOnly.window, services: [] },
    );
    // Assess
    const stock = blended.rootCauses.find((r) => r.service === 'stock');
    expect((stock?.score ?? 0) / scoreOf(graphOnly, 'stock')).toBeCloseTo(1.5 * 1.2, 3);
    expect(blended.rootCauses).toHaveLength(root.length);
  });

  it('should give the same bytes for the same evidence', () => {
    // Act
    const a = run({ traces: traces({ stock: 6, pay: 4 }), changes: change('pay', 10), region: 'us-east-1' });
    const b = run({ traces: traces({ pay: 4, stock: 6 }), changes: change('pay', 10), region: 'us-east-1' });
    // Assess
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('should refuse a configuration out of range', () => {
    // Act & Assess
    expect(() => run({ changes: change('pay', 1), config: { changeWeight: -1 } })).toThrow(/changeWeight/);
  });
});

describe('Function: traceConsoleUrl', () => {
  it.each([
    [
      'eu-west-1',
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#xray:traces/1-a',
    ],
    [
      'cn-north-1',
      'https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#xray:traces/1-a',
    ],
    [
      'us-gov-west-1',
      'https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#xray:traces/1-a',
    ],
  ])('should link a trace in %s', (region, url) => {
    // Act & Assess
    expect(traceConsoleUrl(region, '1-a')).toBe(url);
  });
});
