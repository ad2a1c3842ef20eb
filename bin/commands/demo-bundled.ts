// `cascade-analyzer demo --bundled`: the demo's alarm on the deployed artifacts — every step's
// esbuild bundle from the synthesized cloud assembly, run in a process of its own with the
// environment of its template resource, against moto_server (S3, SNS), dynalite and the local
// X-Ray and CloudTrail endpoints (the scenario's graphs, traces and changes). Slower than the demo (it bundles), and it proves what `cdk deploy` uploads works.

import { statSync } from 'node:fs';
import { relative } from 'node:path';
import type { Notified } from '../../lambdas/handlers/contracts.ts';
import { BundledPipeline } from '../../lambdas/local/bundled.ts';
import { duration, kib, progressPrinter } from '../../lambdas/local/progress.ts';
import { scenarioEvidence } from '../../lambdas/local/replay-evidence.ts';
import type { Scenario } from '../../lambdas/local/scenarios.ts';
import { answerLines } from '../../lambdas/report/answer.ts';
import { neutralizeFinding, neutralizeText } from '../../lambdas/report/format.ts';
import { textWidth } from './output.ts';

/** A value from the scenario's graph (a service name) on one line, neutralised: it cannot forge one. */
const n = neutralizeText;

export async function runBundledDemo(
  scenario: Scenario,
  motoEndpoint: string,
  out: (text: string) => void,
): Promise<number> {
  const t0 = performance.now();
  out('cascade-analyzer demo --bundled: the deployed artifacts, run on this machine (no AWS account)\n\n');
  out(`scenario   ${n(`${scenario.name}: ${scenario.description}`)}\n`);
  const pipeline = await BundledPipeline.start({
    replay: scenario.snapshot,
    evidence: scenarioEvidence(scenario),
    motoEndpoint,
    overrides: { watchedServices: [{ name: scenario.alarmedService }] },
  });
  try {
    out(`assets     ${pipeline.assembly.outdir} (synthesized with bundles, as cdk synth writes cdk.out)\n`);
    for (const f of pipeline.functions.values()) {
      const layers =
        f.asset.layers.length > 0
          ? ` + layer ${relative(pipeline.assembly.outdir, f.asset.layers[0] ?? '')}`
          : '';
      out(
        `           ${f.asset.logicalId.padEnd(32)} ${kib(statSync(f.asset.entry).size).padStart(9)}  ${relative(pipeline.assembly.outdir, f.asset.entry)}${layers}\n`,
      );
    }
    out(`S3, SNS    moto_server on ${motoEndpoint} · topic ${pipeline.topicArn}\n`);
    out(`ready in   ${duration(performance.now() - t0)} (every function's cold start passed)\n`);

    // Milliseconds, as CloudWatch writes state timestamps: two demos within one second are two
    // alarm state changes (two analyses), not a duplicate delivery of one.
    const at = new Date();
    const event = pipeline.alarmEvent(scenario.alarmedService, at);
    out(`\nALARM  ${n(event.detail.alarmName)} → ALARM; EventBridge starts the workflow\n\n`);
    const report = await pipeline.run(event, {
      listener: progressPrinter({ write: out, tty: process.stdout.isTTY === true }),
    });
    if (report.status !== 'SUCCEEDED') {
      out(
        `\nexecution ${report.status}: ${n(`${report.error?.Error ?? ''} ${report.error?.Cause ?? ''}`)}\n`,
      );
      return 1;
    }
    const { analysisId, messageId, incidentId, incidentMessages } = report.output as Notified;
    const finding = analysisId === null ? undefined : await pipeline.repository.get(analysisId);
    const top = finding?.rootCauses[0];
    out(`\nexecution  SUCCEEDED in ${duration(report.ms)}\n`);
    out(`status     ${finding?.status ?? 'no finding stored'}\n`);
    if (top && finding) out(`\n${answerLines(neutralizeFinding(finding), textWidth()).join('\n')}\n\n`);
    const sent = [...(messageId !== null ? [messageId] : []), ...(incidentMessages ?? [])];
    out(
      `notified   ${sent.length === 0 ? 'no (duplicate)' : `${sent.join(', ')} on ${pipeline.topicArn}`}${incidentId ? ` · incident ${incidentId}` : ''}\n`,
    );

    // The alarm back to OK: ResolveAlarm's and Notify's bundles close the incident and say so.
    const ok = pipeline.okEvent(scenario.alarmedService, new Date(at.getTime() + 60_000));
    out(`\nOK     ${n(ok.detail.alarmName)} → OK; EventBridge starts the workflow\n\n`);
    const resolution = await pipeline.run(ok, {
      listener: progressPrinter({ write: out, tty: process.stdout.isTTY === true }),
    });
    if (resolution.status !== 'SUCCEEDED') {
      out(
        `\nexecution ${resolution.status}: ${n(`${resolution.error?.Error ?? ''} ${resolution.error?.Cause ?? ''}`)}\n`,
      );
      return 1;
    }
    const closing = (resolution.output as Notified).incidentMessages ?? [];
    out(
      `\nresolved   ${closing.length === 0 ? 'no message (nothing open)' : `message ${closing.join(', ')}`}\n`,
    );
    return finding?.status === 'COMPLETED' ? 0 : 1;
  } finally {
    await pipeline.stop();
  }
}
