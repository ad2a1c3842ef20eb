// The demo's small history (issue 21 §4): on a data folder with no finding for the scenario's
// alarmed service yet, three past incidents of the same scenario (three, two and one week ago),
// each run through the whole pipeline at its past time and resolved about 40 minutes later, with
// verdicts on the two latest given as the demo — by DEMO_VERDICT_BY, never as a person — so that
// `accuracy` and "seen before" show something real on a fresh clone.

import { DEMO_VERDICT_BY, type VerdictValue } from '../../lambdas/core/feedback.ts';
import type { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import type { Scenario } from '../../lambdas/local/scenarios.ts';

export interface SeededIncident {
  readonly analysisId: string;
  readonly incidentId: string | undefined;
  readonly at: Date;
  readonly verdict: VerdictValue | undefined;
}

const DAY_MS = 86_400_000;
/** Days ago, minutes to resolution, and whether the demo gives a verdict on it. */
const PAST = [
  { daysAgo: 21, minutes: 42, judged: false },
  { daysAgo: 14, minutes: 35, judged: true },
  { daysAgo: 7, minutes: 51, judged: true },
] as const;

/** Runs the past incidents (ALARM, then OK) and gives their verdicts; what it seeded, oldest first. */
export async function seedDemoHistory(
  pipeline: LocalPipeline,
  scenario: Scenario,
  now: Date,
): Promise<SeededIncident[]> {
  const seeded: SeededIncident[] = [];
  for (const p of PAST) {
    // On the hour, so the history reads as history, not as this run.
    const at = new Date(Math.floor((now.getTime() - p.daysAgo * DAY_MS) / 3_600_000) * 3_600_000);
    const report = await pipeline.run(pipeline.alarmEvent(scenario.alarmedService, at));
    const out = (report.output ?? {}) as { analysisId?: string; incidentId?: string };
    const resolvedAt = new Date(at.getTime() + p.minutes * 60_000);
    await pipeline.run(pipeline.okEvent(scenario.alarmedService, resolvedAt));
    if (out.analysisId === undefined) continue;
    const finding = await pipeline.repository.get(out.analysisId);
    let verdict: VerdictValue | undefined;
    const top = finding?.rootCauses[0]?.service;
    if (finding !== undefined && top !== undefined && p.judged) {
      // What the scenario was built around is the truth the demo judges by (demo.ts seeds only
      // scenarios that have one).
      const truth = scenario.expectedRootCause ?? top;
      const rank = finding.rootCauses.findIndex((rc) => rc.service === truth);
      verdict = truth === top ? 'right' : rank > 0 && rank < 3 ? 'partly' : 'wrong';
      await pipeline.feedback.give(finding, {
        verdict,
        ...(verdict !== 'right' ? { actual: truth } : {}),
        note: 'seeded by the demo: the scenario was built around this root cause',
        by: DEMO_VERDICT_BY,
        at: resolvedAt.toISOString(),
      });
    }
    seeded.push({ analysisId: out.analysisId, incidentId: out.incidentId, at, verdict });
  }
  return seeded;
}
