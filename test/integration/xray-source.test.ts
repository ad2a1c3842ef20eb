// XRayGraphSource against a local X-Ray endpoint reached by the real SDK client: every real
// service-graph capture served in pages after two throttles comes back whole and parses.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BadRequestError } from '../../lambdas/adapters/ports.ts';
import { createXRayClient } from '../../lambdas/adapters/xray-client.ts';
import { XRayGraphSource } from '../../lambdas/adapters/xray-source.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import {
  clientOptions,
  type LocalXRay,
  startLocalXRay,
  TEST_CREDENTIALS,
  TEST_REGION,
} from '../support/local-servers.ts';
import { SHARED_DIR, sharedAvailable } from '../support/shared.ts';

const DIR = join(SHARED_DIR, 'fixtures/xray');
const present = sharedAvailable('fixtures/xray');
const captures = present
  ? readdirSync(DIR)
      .filter((f) => /getservicegraph|servicemap/i.test(f) && f.endsWith('.json'))
      .sort()
  : [];

const END = new Date('2026-11-20T03:15:00.000Z');
const RANGE = { start: new Date(END.getTime() - 15 * 60_000), end: END };
const NOW = () => new Date('2026-11-20T04:00:00.000Z');

type Capture = { Services: Record<string, unknown>[] } & Record<string, unknown>;

/** The capture's services in `n` pages, each carrying the window as the wire does (epoch seconds). */
function paginate(capture: Capture, n: number): Record<string, unknown>[] {
  const size = Math.ceil(capture.Services.length / n);
  return Array.from({ length: n }, (_, i) => ({
    StartTime: RANGE.start.getTime() / 1000,
    EndTime: RANGE.end.getTime() / 1000,
    Services: capture.Services.slice(i * size, (i + 1) * size),
  }));
}

describe('Class: XRayGraphSource', () => {
  let server: LocalXRay | undefined;
  let sleeps: number[];
  const sleep = async (ms: number): Promise<void> => {
    sleeps.push(ms);
  };

  beforeEach(() => {
    sleeps = [];
  });

  afterEach(async () => {
    await server?.stop();
    server = undefined;
  });

  describe.runIf(present)('on the real captures', () => {
    it('should find the service-graph captures', () => {
      expect(captures.length).toBeGreaterThanOrEqual(2);
    });

    it.each(captures)(
      'should return every service of %s served in 3 pages after 2 throttles',
      async (file) => {
        // Prepare
        const capture = JSON.parse(readFileSync(join(DIR, file), 'utf8')) as Capture;
        server = await startLocalXRay({ pages: paginate(capture, 3), throttleFirst: 2 });
        const source = new XRayGraphSource({
          client: createXRayClient(clientOptions(server.endpoint)),
          sleep,
          now: NOW,
        });
        // Act
        const doc = await source.getServiceGraph(RANGE, 'checkout-group');
        // Assess
        expect(server.requests.map((r) => r.status)).toEqual([429, 429, 200, 200, 200]);
        expect(sleeps).toHaveLength(2);
        expect(server.requests.map((r) => r.body.GroupName)).toEqual(Array(5).fill('checkout-group'));
        expect(server.requests.slice(2).map((r) => r.body.NextToken)).toEqual([
          undefined,
          'page-1',
          'page-2',
        ]);
        const refs = (s: readonly unknown[]) =>
          s.map((x) => (x as { ReferenceId: number }).ReferenceId).sort();
        expect(refs(doc.Services)).toEqual(refs(capture.Services));
        expect(doc.StartTime).toBe(RANGE.start.toISOString());
        expect(doc.EndTime).toBe(RANGE.end.toISOString());
        expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
        const first = doc.Services[0] as { StartTime?: unknown; Name?: unknown };
        expect(first.Name).toBe(capture.Services[0]?.Name);
        if (capture.Services[0]?.StartTime !== undefined) expect(typeof first.StartTime).toBe('string');
        const snapshot = parseSnapshot(doc);
        expect(snapshot.incident.nodes).toHaveLength(capture.Services.length);
        expect(snapshot.incident.window).toEqual({
          start: RANGE.start.toISOString(),
          end: RANGE.end.toISOString(),
        });
        expect(parseSnapshot(doc).incident.nodes).toEqual(parseSnapshot(capture).incident.nodes);
      },
    );
  });

  it('should reach the endpoint named by AWS_ENDPOINT_URL_XRAY and merge a service repeated across pages', async () => {
    // Prepare: page 2 repeats node 1 with another edge, as X-Ray may when an edge spills over.
    const node = (ref: number, edges: number[]) => ({
      ReferenceId: ref,
      Name: `svc-${ref}`,
      Type: 'AWS::ECS::Container',
      StartTime: 1_795_143_600,
      Edges: edges.map((to) => ({ ReferenceId: to, StartTime: 1_795_143_600 })),
      SummaryStatistics: { TotalCount: 10, OkCount: 10 },
    });
    server = await startLocalXRay({
      pages: [
        { Services: [node(1, [2]), node(2, [])], ContainsOldGroupVersions: false },
        { Services: [node(1, [3]), node(3, [])], ContainsOldGroupVersions: true },
      ],
    });
    const saved = process.env.AWS_ENDPOINT_URL_XRAY;
    process.env.AWS_ENDPOINT_URL_XRAY = server.endpoint;
    try {
      const source = new XRayGraphSource({
        client: createXRayClient({ region: TEST_REGION, credentials: TEST_CREDENTIALS }),
        sleep,
        now: NOW,
      });
      // Act
      const doc = await source.getServiceGraph(RANGE);
      // Assess
      expect(server.requests).toHaveLength(2);
      expect(server.requests[0]?.body.GroupName).toBeUndefined();
      expect(doc.ContainsOldGroupVersions).toBe(true);
      expect(doc.Services).toHaveLength(3);
      expect(doc.Services[0]).toMatchObject({
        ReferenceId: 1,
        StartTime: '2026-11-20T03:00:00.000Z',
        Edges: [{ ReferenceId: 2 }, { ReferenceId: 3 }],
      });
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_XRAY;
      else process.env.AWS_ENDPOINT_URL_XRAY = saved;
    }
  });

  it('should throw a non-retryable error at once', async () => {
    // Prepare
    server = await startLocalXRay({
      pages: [{ Services: [] }],
      failWith: { status: 400, type: 'InvalidRequestException', message: 'Group not found' },
    });
    const source = new XRayGraphSource({
      client: createXRayClient(clientOptions(server.endpoint)),
      sleep,
      now: NOW,
    });
    // Act
    const act = source.getServiceGraph(RANGE, 'missing-group');
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'InvalidRequestException', message: 'Group not found' });
    expect(server.requests).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it('should give up after the configured attempts with full-jitter delays under an exponential cap', async () => {
    // Prepare
    server = await startLocalXRay({ pages: [{ Services: [] }], throttleFirst: 100 });
    const source = new XRayGraphSource({
      client: createXRayClient(clientOptions(server.endpoint)),
      maxAttempts: 4,
      baseDelayMs: 100,
      sleep,
      random: () => 0.999,
      now: NOW,
    });
    // Act
    const act = source.getServiceGraph(RANGE);
    // Assess
    await expect(act).rejects.toThrow('X-Ray GetServiceGraph was still throttled after 4 attempts');
    expect(server.requests).toHaveLength(4);
    expect(sleeps).toEqual([99, 199, 399]);
  });

  it.each([
    [
      'longer than 6 hours',
      { start: new Date(END.getTime() - 6 * 3_600_000 - 1000), end: END },
      /at most 6 hours/,
    ],
    [
      'starting more than 30 days ago',
      {
        start: new Date(NOW().getTime() - 31 * 86_400_000),
        end: new Date(NOW().getTime() - 31 * 86_400_000 + 60_000),
      },
      /30 days/,
    ],
    ['ending before it starts', { start: END, end: RANGE.start }, /must end after it starts/],
  ])('should refuse a window %s without calling X-Ray', async (_what, range, message) => {
    // Prepare
    server = await startLocalXRay({ pages: [{ Services: [] }] });
    const source = new XRayGraphSource({
      client: createXRayClient(clientOptions(server.endpoint)),
      sleep,
      now: NOW,
    });
    // Act
    const act = source.getServiceGraph(range);
    // Assess
    await expect(act).rejects.toBeInstanceOf(BadRequestError);
    await expect(source.getServiceGraph(range)).rejects.toThrow(message);
    expect(server.requests).toHaveLength(0);
  });

  it('should accept a window of exactly 6 hours', async () => {
    // Prepare
    server = await startLocalXRay({ pages: [{ Services: [] }] });
    const source = new XRayGraphSource({
      client: createXRayClient(clientOptions(server.endpoint)),
      sleep,
      now: NOW,
    });
    // Act
    const doc = await source.getServiceGraph({ start: new Date(END.getTime() - 6 * 3_600_000), end: END });
    // Assess
    expect(doc.Services).toEqual([]);
    expect(server.requests).toHaveLength(1);
  });
});
