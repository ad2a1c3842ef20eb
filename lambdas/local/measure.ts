// Alarm → notification timing of the whole local pipeline, for the benchmark: the synthesized state
// machine with every step's real code, dynalite, the local X-Ray endpoint and file notifications,
// in a temporary folder. Each run is a new alarm (a new analysis), timed from the moment the alarm
// event is handed to the workflow until its notification is out.
//
//   const shop = await findScenario(exampleScenarios, 'shop');
//   await measurePipeline({ scenario: shop });                               // median of 5
//   const g = generateSyntheticSnapshot(10_000, 1);                          // bench/synthetic.ts
//   await measurePipeline({ label: '10k', scenario: scenarioFromGenerated({ name: '10k', ...g }), runs: 3 });

import { LocalPipeline, type PublishedNotification } from './pipeline.ts';
import { scenarioEvidence } from './replay-evidence.ts';
import type { Scenario } from './scenarios.ts';

export interface MeasureOptions {
  /** A label for the result, e.g. `shop` or `10k`. @default scenario.name */
  readonly label?: string;
  readonly scenario: Pick<
    Scenario,
    'name' | 'snapshot' | 'alarmedService' | 'expectedRootCause' | 'evidence'
  >;
  /** Timed runs. @default 5 */
  readonly runs?: number;
  /** One untimed run first (module loading, JIT, the table's first write). @default true */
  readonly warmUp?: boolean;
}

export interface PipelineTiming {
  readonly label: string;
  /** Services in the incident graph. */
  readonly services: number;
  /** Alarm → notification per timed run, milliseconds. */
  readonly runsMs: readonly number[];
  readonly medianMs: number;
  /** Synthesizing the stack and starting the local servers, milliseconds (once, not in the runs). */
  readonly setupMs: number;
  /** The largest payload any state passed in any run, bytes (Step Functions allows 262,144). */
  readonly largestPayloadBytes: number;
  /** The first root cause of the last run's finding. */
  readonly rootCause: string | null;
  /** Whether it is the scenario's expected root cause; undefined when the scenario does not say. */
  readonly correct: boolean | undefined;
}

/** Runs the scenario `runs` times (plus a warm-up) and reports the median alarm → notification time. */
export async function measurePipeline(options: MeasureOptions): Promise<PipelineTiming> {
  const runs = options.runs ?? 5;
  const { scenario } = options;
  const t0 = performance.now();
  const notified = new Map<string, PublishedNotification>();
  const pipeline = await LocalPipeline.start({
    xray: { replay: scenario.snapshot },
    // The scenario's traces and changes (or summaries derived from its graph), as the demo reads them.
    evidence: scenarioEvidence(scenario),
    watch: [scenario.alarmedService],
    onNotification: (n) => notified.set(n.analysisId, n),
  });
  const setupMs = performance.now() - t0;
  try {
    const runsMs: number[] = [];
    let largest = 0;
    let rootCause: string | null = null;
    // Each alarm fires a second earlier than the previous one: a distinct alarm state change, so a
    // distinct analysis (the same one twice would be a duplicate event and send no notification).
    // After each run the alarm goes back to OK, which resolves its incident: the next alarm opens a
    // new incident and sends its own root-cause message (joining an open one would send none).
    const base = Math.floor(Date.now() / 1000) * 1000;
    const first = options.warmUp === false ? 1 : 0;
    for (let i = first; i <= runs; i++) {
      const event = pipeline.alarmEvent(scenario.alarmedService, new Date(base - i * 1000));
      const handedOver = Date.now();
      const report = await pipeline.run(event);
      if (report.status !== 'SUCCEEDED') {
        throw new Error(`run ${i} of ${scenario.name} ended ${report.status}: ${report.error?.Cause ?? ''}`);
      }
      const analysisId = (report.output as { analysisId: string }).analysisId;
      const n = notified.get(analysisId);
      if (n === undefined) throw new Error(`run ${i} of ${scenario.name} sent no notification`);
      if (i > 0) runsMs.push(n.at - handedOver);
      largest = Math.max(largest, report.largestPayload.bytes);
      rootCause = (await pipeline.repository.get(analysisId))?.rootCauses[0]?.service ?? null;
      const resolved = await pipeline.run(
        pipeline.okEvent(scenario.alarmedService, new Date(base - i * 1000 + 500)),
      );
      if (resolved.status !== 'SUCCEEDED') {
        throw new Error(
          `OK after run ${i} of ${scenario.name} ended ${resolved.status}: ${resolved.error?.Cause ?? ''}`,
        );
      }
    }
    return {
      label: options.label ?? scenario.name,
      services: (scenario.snapshot.incident.Services as unknown[]).length,
      runsMs,
      medianMs: median(runsMs),
      setupMs,
      largestPayloadBytes: largest,
      rootCause,
      correct:
        scenario.expectedRootCause === undefined ? undefined : rootCause === scenario.expectedRootCause,
    };
  } finally {
    await pipeline.stop();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0
    ? Number.NaN
    : s.length % 2
      ? (s[m] as number)
      : ((s[m - 1] as number) + (s[m] as number)) / 2;
}
