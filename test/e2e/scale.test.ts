// A 10,000-service incident through the synthesized workflow: the graph travels between states by
// key, so every payload stays far under Step Functions' 256 KB however large the graph is. The
// sizes are measured on every state's input and output in the run.

import { afterAll, describe, expect, it } from 'vitest';
import { generateSyntheticSnapshot } from '../../bench/synthetic.ts';
import type { PublishedNotification } from '../../lambdas/local/notifications.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { readSnapshotDocument } from '../../lambdas/local/replay.ts';
import { derivedEvidence, replayEvidence } from '../../lambdas/local/replay-evidence.ts';
import { alarmedServiceOf } from '../../lambdas/local/scenarios.ts';
import { lookupEventJson } from '../../lambdas/simulator/change-events.ts';
import { LIMIT_BYTES } from './e2e-kit.ts';

describe('E2E: a 10,000-service incident', () => {
  let pipeline: LocalPipeline | undefined;

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('should name the planted root cause with every state payload under 256 KB, traces and changes included', async () => {
    // Prepare
    const generated = generateSyntheticSnapshot(10_000, 42);
    const snapshot = readSnapshotDocument({ incident: generated.incident, baseline: generated.baseline });
    const alarmed = alarmedServiceOf(snapshot, { reaching: generated.rootCause }) as string;
    const notifications: PublishedNotification[] = [];
    // Evidence at its bounds: trace summaries from the graph, and 60 changes with long names, 20 of
    // them to the root cause.
    const end = Number(snapshot.incident.EndTime);
    const long = 'x'.repeat(1500);
    const changes = Array.from({ length: 60 }, (_, i) =>
      lookupEventJson({
        id: `ev-${i}`,
        eventName: 'UpdateFunctionCode20150331v2',
        source: 'lambda.amazonaws.com',
        at: end - 900 - 60 * (i + 1),
        who: `${long}-${i}`,
        resourceName: i % 3 === 0 ? generated.rootCause : `${long}-${i}`,
      }),
    );
    pipeline = await LocalPipeline.start({
      xray: { replay: snapshot },
      evidence: replayEvidence({
        ...derivedEvidence(snapshot.incident, end),
        changes: { Events: changes },
        recordedEnd: end,
      }),
      watch: [alarmed],
      onNotification: (n) => notifications.push(n),
    });

    // Act
    const report = await pipeline.run(pipeline.alarmEvent(alarmed));

    // Assess
    console.info(
      `10k payloads (bytes in / out): ${report.states.map((s) => `${s.state} ${s.inputBytes}/${s.outputBytes}`).join(', ')}; largest ${report.largestPayload.bytes} (${report.largestPayload.where}); ${report.ms} ms`,
    );
    expect(report.status, JSON.stringify(report.error)).toBe('SUCCEEDED');
    expect(report.states.map((s) => s.state)).toEqual([
      'Route',
      'Prepare',
      'CollectGraph',
      'CollectEvidence',
      'Enrich',
      'Analyze',
      'Store',
      'Correlate',
      'Notify',
      'Done',
    ]);
    for (const s of report.states) {
      expect(s.inputBytes, `${s.state} input`).toBeLessThan(LIMIT_BYTES);
      expect(s.outputBytes, `${s.state} output`).toBeLessThan(LIMIT_BYTES);
    }
    expect(report.largestPayload.bytes).toBeLessThan(LIMIT_BYTES);
    const collected = pipeline.xray?.requests.filter((r) => r.status === 200) ?? [];
    // Real X-Ray pages a graph this size; the adapter read every page of both windows.
    expect(collected.length).toBeGreaterThan(2);
    const id = (report.output as { analysisId: string }).analysisId;
    const finding = await pipeline.repository.get(id);
    expect(finding?.status).toBe('COMPLETED');
    expect(finding?.rootCauses[0]?.service).toBe(generated.rootCause);
    expect(notifications.map((n) => n.analysisId)).toEqual([id]);
    expect(notifications[0]?.attributes.rootCause).toBe(generated.rootCause);
    // The finding carries the evidence and stays within DynamoDB's 400 KB item, the message within SNS's 256 KB.
    expect(finding?.rootCauses[0]?.traces?.exemplars.length).toBeGreaterThan(0);
    expect(finding?.changes).toHaveLength(20);
    const itemBytes = Buffer.byteLength(JSON.stringify(finding), 'utf8');
    const messageBytes = Buffer.byteLength(notifications[0]?.message ?? '', 'utf8');
    console.info(`10k with evidence: finding ${itemBytes} bytes, notification ${messageBytes} bytes`);
    expect(itemBytes).toBeLessThan(400 * 1024);
    expect(messageBytes).toBeLessThan(LIMIT_BYTES);
  }, 120_000);
});
