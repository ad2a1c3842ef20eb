// XRayTraceSource against the local X-Ray endpoint reached by the real SDK client: the alarmed
// service's faulty then slow traces, in pages, after throttling, within page, trace and time
// bounds; the real capture read through it; BatchGetTraces for an exemplar.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { quoted, XRayTraceSource } from '../../lambdas/adapters/trace-source.ts';
import { createXRayClient } from '../../lambdas/adapters/xray-client.ts';
import { parseTraceSummaries } from '../../lambdas/core/evidence/trace-summaries.ts';
import type { TraceSummaryRequest } from '../../lambdas/local/xray-endpoint.ts';
import { traceSummaryJson } from '../../lambdas/simulator/trace-summaries.ts';
import { clientOptions, type LocalXRay, startLocalXRay } from '../support/local-servers.ts';
import { SHARED_DIR, sharedAvailable } from '../support/shared.ts';

const END = new Date('2026-11-20T03:15:00.000Z');
const RANGE = { start: new Date(END.getTime() - 15 * 60_000), end: END };
const present = sharedAvailable('fixtures/xray');

/** `n` faulty traces blaming `service`, ids `<prefix>-000`…, in pages of `size`. */
function pages(prefix: string, n: number, size: number, service = 'payments') {
  const all = Array.from({ length: n }, (_, i) =>
    traceSummaryJson({
      id: `1-${prefix}-${String(i).padStart(3, '0')}`,
      start: RANGE.start.getTime() / 1000 + i,
      responseTime: 1,
      causes: [{ kind: 'fault', service, exceptions: [{ name: 'Boom' }] }],
    }),
  );
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < n; i += size) {
    out.push({ TraceSummaries: all.slice(i, i + size), TracesProcessedCount: size * 10 });
  }
  return out;
}

describe('Class: XRayTraceSource', () => {
  let server: LocalXRay | undefined;
  let sleeps: number[];
  const sleep = async (ms: number) => {
    sleeps.push(ms);
  };
  const source = (options: Partial<ConstructorParameters<typeof XRayTraceSource>[0]> = {}) =>
    new XRayTraceSource({
      client: createXRayClient(clientOptions(server?.endpoint ?? '')),
      sleep,
      ...options,
    });

  beforeEach(() => {
    sleeps = [];
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('should read faulty then slow traces of the service, in pages, after throttling, and trim them', async () => {
    // Prepare
    const asked: TraceSummaryRequest[] = [];
    server = await startLocalXRay({
      pages: [{ Services: [] }],
      throttleFirst: 2,
      traceSummaries: (req) => {
        asked.push(req);
        return req.filterExpression?.includes('fault') ? pages('f', 5, 2) : pages('s', 2, 2, 'db');
      },
    });
    // Act
    const doc = await source().getTraceSummaries({ range: RANGE, service: 'payments', slowerThanSeconds: 1 });
    // Assess
    expect(asked.map((r) => r.filterExpression)).toEqual([
      'service("payments") { fault = true }',
      'service("payments") { responsetime > 1 }',
    ]);
    expect(server.requests.map((r) => r.status)).toEqual([429, 429, 200, 200, 200, 200]);
    expect(server.requests.slice(2).map((r) => r.body.NextToken)).toEqual([
      undefined,
      'page-1',
      'page-2',
      undefined,
    ]);
    expect(sleeps).toHaveLength(2);
    expect(doc.calls).toBe(4);
    expect(doc.truncated).toBe(false);
    expect(doc.TraceSummaries).toHaveLength(7);
    expect(Object.keys(doc.TraceSummaries[0] ?? {}).sort()).toEqual(
      [
        'Duration',
        'FaultRootCauses',
        'HasError',
        'HasFault',
        'HasThrottle',
        'Id',
        'ResponseTime',
        'Revision',
        'StartTime',
      ].sort(),
    );
    const parsed = parseTraceSummaries(doc);
    expect(parsed.summaries).toHaveLength(7);
    expect(parsed.summaries[0]?.causes[0]?.service).toBe('payments');
  });

  it('should stop at the page bound and at the trace bound, and say it was cut short', async () => {
    // Prepare
    server = await startLocalXRay({ pages: [{ Services: [] }], traceSummaries: () => pages('f', 10, 2) });
    // Act
    const byPages = await source({ maxPages: 2 }).getTraceSummaries({ range: RANGE, service: 'payments' });
    const byTraces = await source({ maxTraces: 3 }).getTraceSummaries({ range: RANGE, service: 'payments' });
    // Assess
    expect(byPages).toMatchObject({ calls: 2, truncated: true });
    expect(byPages.TraceSummaries).toHaveLength(4);
    expect(byTraces).toMatchObject({ calls: 2, truncated: true });
    expect(byTraces.TraceSummaries).toHaveLength(3);
  });

  it('should stop when the time budget is spent, throttling waits included', async () => {
    // Prepare: every call costs 4 s on the injected clock; the budget is 10 s.
    server = await startLocalXRay({ pages: [{ Services: [] }], traceSummaries: () => pages('f', 10, 1) });
    let now = 0;
    const clock = () => {
      now += 2000;
      return now;
    };
    // Act
    const doc = await source({ clock, timeBudgetMs: 10_000 }).getTraceSummaries({
      range: RANGE,
      service: 'payments',
    });
    // Assess
    expect(doc.truncated).toBe(true);
    expect(doc.calls).toBeLessThan(5);
    expect(doc.TraceSummaries).toHaveLength(doc.calls);
  });

  it('should escape quotes in the service name of the filter expression', () => {
    // Act & Assess
    expect(quoted('a "b" \\c')).toBe('"a \\"b\\" \\\\c"');
  });

  it.runIf(present)('should read the real GetTraceSummaries capture served by the endpoint', async () => {
    // Prepare
    const capture = JSON.parse(
      readFileSync(join(SHARED_DIR, 'fixtures/xray/awsdocs-xray-devguide__gettracesummaries.json'), 'utf8'),
    ) as Record<string, unknown>;
    server = await startLocalXRay({ pages: [{ Services: [] }], traceSummaries: () => [capture] });
    // Act
    const doc = await source().getTraceSummaries({ range: RANGE, service: 'Scorekeep' });
    // Assess
    expect(parseTraceSummaries(doc).summaries.map((s) => s.id)).toEqual(
      parseTraceSummaries(capture).summaries.map((s) => s.id),
    );
    expect(doc.TracesProcessedCount).toBe(2);
  });

  it.runIf(present)('should fetch an exemplar with BatchGetTraces and report the ids it lacks', async () => {
    // Prepare
    const capture = JSON.parse(
      readFileSync(
        join(SHARED_DIR, 'fixtures/xray/awsdocs-xray-devguide__batchgettraces-scorekeep.json'),
        'utf8',
      ),
    ) as { Traces: { Id: string }[] };
    server = await startLocalXRay({
      pages: [{ Services: [] }],
      throttleFirst: 1,
      traces: (ids) => capture.Traces.filter((t) => ids.includes(t.Id)),
    });
    const id = capture.Traces[0]?.Id ?? '';
    // Act
    const out = await source().getTraces([id, '1-missing']);
    // Assess
    expect(out.Traces).toHaveLength(1);
    expect(server.requests.at(-1)?.body.TraceIds).toEqual([id, '1-missing']);
    expect(sleeps).toHaveLength(1);
    await expect(source().getTraces([])).rejects.toThrow(/1 to 5/);
  });
});
