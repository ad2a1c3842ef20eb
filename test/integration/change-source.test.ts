// CloudTrailChangeSource against the local CloudTrail endpoint reached by the real SDK client: one
// query per change event name, in pages of 50, paced at CloudTrail's 2 calls a second, after
// throttling, within a time budget; each record cut down to what the analysis reads.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudTrailChangeSource, createCloudTrailClient } from '../../lambdas/adapters/change-source.ts';
import { CHANGE_EVENT_NAMES, parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import { lookupEventJson } from '../../lambdas/simulator/change-events.ts';
import { clientOptions, type LocalCloudTrail, startLocalCloudTrail } from '../support/local-servers.ts';

const START = Date.parse('2026-11-20T02:00:00.000Z');
const RANGE = { start: new Date(START), end: new Date(START + 75 * 60_000) };

const deploy = (i: number, at: number) =>
  lookupEventJson({
    id: `ev-${String(i).padStart(3, '0')}`,
    eventName: 'UpdateFunctionCode20150331v2',
    source: 'lambda.amazonaws.com',
    at: at / 1000,
    who: 'deploy-bot',
    resourceName: `arn:aws:lambda:us-east-1:123456789012:function:fn-${i}`,
    requestParameters: { functionName: `fn-${i}`, zipFile: 'x'.repeat(2000) },
  });

describe('Class: CloudTrailChangeSource', () => {
  let server: LocalCloudTrail | undefined;
  let sleeps: number[];
  let now: number;
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    now += ms;
  };
  const source = (options: Partial<ConstructorParameters<typeof CloudTrailChangeSource>[0]> = {}) =>
    new CloudTrailChangeSource({
      client: createCloudTrailClient(clientOptions(server?.endpoint ?? '')),
      sleep,
      random: () => 0.5,
      clock: () => now,
      ...options,
    });

  beforeEach(() => {
    sleeps = [];
    now = RANGE.end.getTime() + 60_000;
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  it('should look up each change event name over the window, page by 50, pace the calls and retry throttling', async () => {
    // Prepare: 60 deployments in the window, 1 before it, and a read-only call.
    const inWindow = Array.from({ length: 60 }, (_, i) => deploy(i, START + (i + 1) * 60_000));
    const before = deploy(99, START - 60_000);
    const read = { ...lookupEventJson({ ...deployArgs(), eventName: 'GetFunction' }), EventId: 'read' };
    server = await startLocalCloudTrail({ events: () => [...inWindow, before, read], throttleFirst: 1 });
    // Act
    const doc = await source().lookupChanges(RANGE);
    // Assess
    const ok = server.requests.filter((r) => r.status === 200);
    expect(server.requests[0]?.status).toBe(429);
    expect(ok).toHaveLength(CHANGE_EVENT_NAMES.length + 1);
    // The name with 60 events takes two pages (50 + 10); every other name one.
    const names = [...CHANGE_EVENT_NAMES];
    names.splice(names.indexOf('UpdateFunctionCode20150331v2'), 0, 'UpdateFunctionCode20150331v2');
    const asked = ok.map((r) => (r.body.LookupAttributes as { AttributeValue: string }[])[0]?.AttributeValue);
    expect(asked).toEqual(names);
    expect(ok.every((r) => r.body.MaxResults === 50)).toBe(true);
    expect(server.requests.every((r) => r.target?.endsWith('.LookupEvents'))).toBe(true);
    expect(doc).toMatchObject({ calls: CHANGE_EVENT_NAMES.length + 1, truncated: false });
    expect(doc.Events).toHaveLength(60);
    // Paced at 2 calls a second: the injected clock only moves when the source sleeps, and the
    // throttling backoff (100 ms) counts towards the first pause.
    expect(sleeps).toEqual([100, 400, ...Array(CHANGE_EVENT_NAMES.length - 1).fill(500)]);
    const record = JSON.parse(String(doc.Events[0]?.CloudTrailEvent)) as Record<string, unknown>;
    expect(record.requestParameters).toEqual({ functionName: expect.stringMatching(/^fn-/) });
    const parsed = parseLookupEvents(doc);
    expect(parsed.events[0]?.id).toBe('ev-059');
    expect(parsed.events[0]?.resources).toContain('fn-59');
  });

  it('should stop at the time budget and say the read was cut short', async () => {
    // Prepare
    server = await startLocalCloudTrail({ events: () => [deploy(1, START + 60_000)] });
    // Act
    const doc = await source({ timeBudgetMs: 2_000 }).lookupChanges(RANGE);
    // Assess
    expect(doc.truncated).toBe(true);
    expect(doc.calls).toBe(4);
    expect(server.requests).toHaveLength(4);
  });

  it('should give up after the configured attempts when CloudTrail keeps throttling', async () => {
    // Prepare
    server = await startLocalCloudTrail({ events: () => [], throttleFirst: 100 });
    // Act
    const act = source({ maxAttempts: 3 }).lookupChanges(RANGE);
    // Assess
    await expect(act).rejects.toThrow('CloudTrail LookupEvents was still throttled after 3 attempts');
    expect(server.requests).toHaveLength(3);
  });

  it("should refuse a window beyond CloudTrail's 90 days without calling it", async () => {
    // Prepare
    server = await startLocalCloudTrail({ events: () => [] });
    now = RANGE.start.getTime() + 91 * 86_400_000;
    // Act & Assess
    await expect(source().lookupChanges(RANGE)).rejects.toThrow(/90 days/);
    expect(server.requests).toHaveLength(0);
  });
});

function deployArgs() {
  return {
    id: 'x',
    eventName: 'x',
    source: 'lambda.amazonaws.com',
    at: START / 1000 + 60,
    who: 'bob',
    resourceName: 'fn',
  };
}
