// `cascade-analyzer demo`: the deployed pipeline on this machine. A CloudWatch alarm goes to ALARM,
// the synthesized state machine runs every step's real code against local servers, and the finding
// is stored, notified and written out — no AWS account needed.

import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEMO_VERDICT_BY } from '../../lambdas/core/feedback.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { hasService, notInGraphMessage } from '../../lambdas/core/service-lookup.ts';
import { renderReportHtml } from '../../lambdas/handlers/report-html.ts';
import { DEFAULT_DATA_DIR } from '../../lambdas/local/data-dir.ts';
import { quietSdkNodeWarning } from '../../lambdas/local/local-aws.ts';
import {
  chooseSnsEndpoint,
  type PublishedNotification,
  safeFileName,
} from '../../lambdas/local/notifications.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { duration, kib, NAME_WIDTH, progressPrinter, stepsPrinter } from '../../lambdas/local/progress.ts';
import { scenarioEvidence } from '../../lambdas/local/replay-evidence.ts';
import {
  combineScenarioProviders,
  exampleScenarios,
  findScenario,
  type Scenario,
  ScenarioError,
  type ScenarioProvider,
  scenarioFromGraphFile,
} from '../../lambdas/local/scenarios.ts';
import { simulatedScenarios } from '../../lambdas/local/simulated-scenarios.ts';
import { MAX_PAYLOAD_BYTES } from '../../lambdas/local/state-machine.ts';
import { answerLines, LABEL_WIDTH } from '../../lambdas/report/answer.ts';
import { neutralizeFinding, neutralizeText } from '../../lambdas/report/format.ts';
import { FACTS_SEPARATOR } from '../../lambdas/report/sns-message.ts';
import { wrap, wrapBlock } from '../../lambdas/report/wrap.ts';
import type { Command } from './command.ts';
import { BUSY, unlessBusy } from './data-dir-busy.ts';
import { seedDemoHistory } from './demo-history.ts';
import { demoPaging, pageLine } from './demo-pages.ts';
import { DEFAULT_SCENARIO, demoStateFolder, SCENARIOS_FOLDER } from './demo-state.ts';
import { runStorm } from './demo-storm.ts';
import { textWidth } from './output.ts';
import { argsProblem, UsageError } from './usage-error.ts';

/**
 * The scenarios `--scenario` knows, first match wins. The simulator's provider (issue 3) joins this
 * list; anything implementing `ScenarioProvider` can.
 */
export const DEMO_SCENARIOS: ScenarioProvider = combineScenarioProviders(
  exampleScenarios,
  simulatedScenarios,
);

export function demoHelp(scenarios: ScenarioProvider): string {
  return `Usage: cascade-analyzer demo [--scenario NAME | --graph FILE] [options]

Runs the whole deployed pipeline on this machine, no AWS account needed: a CloudWatch alarm on
the scenario's alarmed service goes to ALARM, and the state machine that "cdk deploy" creates
(synthesized from the CDK app) runs Prepare → CollectGraph → CollectEvidence → Enrich → Analyze
→ Store → Correlate → Notify with every step's real code. X-Ray is a local endpoint replaying the
scenario's graphs and trace summaries, CloudTrail a local endpoint replaying its change events,
DynamoDB is an embedded dynalite whose data stays in the data folder, and the notification goes
to SNS on moto when there is one, otherwise to the terminal and a file.

Options:
  --scenario NAME      a bundled scenario: ${scenarios.names().join(', ')} (default: shop),
                       or storm: 16 alarms (20 state changes) on one cascade at once → one incident, then resolved.
                       Each scenario but shop keeps its findings and incidents in a folder of
                       its own (DIR/scenarios/NAME/), so no scenario joins another's incidents;
                       storm empties its folder first and always starts clean
  --graph FILE         your own graph instead: {"incident": …, "baseline": …}, or one
                       GetServiceGraph response ("aws xray get-service-graph")
  --service NAME       the alarmed service (default: the scenario's; for --graph the entry
                       point whose fault rate rose the most); a name the graph does not hold
                       is refused with the closest names (exit 2)
  --data-dir DIR       where findings, snapshots, reports and the table live
                       (default: ${DEFAULT_DATA_DIR}/); shop and --graph runs share it
  --sns-endpoint URL   publish to SNS there (moto_server); default: AWS_ENDPOINT_URL_SNS,
                       else moto_server if it answers on 127.0.0.1:5000
  --no-sns             write notifications to files even when moto_server is running
  --page-to URL        also page the incident's messages to a receiver at URL: PagerDuty
                       Events API v2 events when its path ends in /v2/enqueue, the signed
                       webhook's documents otherwise (key: CASCADE_PAGE_SECRET, else the demo
                       key in docs/paging.md); the alarm then goes back to OK, so the
                       incident resolves and its page with it
  --verbose            show the local stack, every step with its time and output, and the
                       whole message (with its key facts as JSON, for machines)
  --bundled            run the deployed artifacts instead: synthesize with the Lambda bundles
                       (cdk.out), start each function's index.mjs in a process of its own with
                       its template's environment; needs moto_server (S3 and SNS)
  -h, --help           show this help

Exit status: 0 the analysis completed, 1 the workflow failed (a FAILED finding was recorded) or the
data folder is in use, 2 bad input.
`;
}

export function createDemoCommand(scenarios: ScenarioProvider): Command {
  const help = demoHelp(scenarios);
  return {
    name: 'demo',
    summary: 'run the deployed pipeline on this machine: alarm → state machine → finding → notification',
    help,
    run: (args) => runDemo(args, scenarios, help),
  };
}

export const demoCommand: Command = createDemoCommand(DEMO_SCENARIOS);

async function runDemo(args: readonly string[], scenarios: ScenarioProvider, help: string): Promise<number> {
  let values: ReturnType<typeof parseDemoArgs>;
  try {
    values = parseDemoArgs(args);
  } catch (err) {
    throw new UsageError(`demo: ${argsProblem(err)}`);
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  if (values.scenario !== undefined && values.graph !== undefined) {
    throw new UsageError('demo: give --scenario or --graph, not both');
  }
  if (values['sns-endpoint'] !== undefined && values['no-sns']) {
    throw new UsageError('demo: give --sns-endpoint or --no-sns, not both');
  }
  if (values['page-to'] !== undefined && values.bundled) {
    throw new UsageError('demo: --page-to runs in-process; give it without --bundled');
  }
  const paging = demoPaging(values['page-to']);
  quietSdkNodeWarning();
  const out = (text: string) => process.stdout.write(text);
  const t0 = performance.now();
  if (values.scenario === 'storm') {
    if (values.graph !== undefined || values.service !== undefined) {
      throw new UsageError('demo: --scenario storm fires its own alarms: give no --graph or --service');
    }
    let storm: Awaited<ReturnType<typeof chooseSnsEndpoint>>;
    try {
      storm = values['no-sns']
        ? { endpoint: undefined, reason: '--no-sns' }
        : await chooseSnsEndpoint(values['sns-endpoint']);
    } catch (err) {
      throw new UsageError(`demo: ${(err as Error).message}`);
    }
    return runStorm({
      dataDir: values['data-dir'],
      snsEndpoint: storm.endpoint,
      write: out,
      ...(paging ? { paging } : {}),
    });
  }

  let scenario: Scenario;
  try {
    scenario =
      values.graph !== undefined
        ? await scenarioFromGraphFile(values.graph, {
            ...(values.service !== undefined ? { service: values.service } : {}),
          })
        : await findScenario(scenarios, values.scenario ?? DEFAULT_SCENARIO);
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`demo: ${err.message}`);
    throw err;
  }
  if (values.service !== undefined) {
    // An alarm on a service the graph does not hold would be analyzed as nothing: refuse it here,
    // with the names meant, as `analyze --service` does.
    const graph = parseSnapshot(scenario.snapshot).incident;
    if (!hasService(graph, values.service)) {
      throw new UsageError(
        `demo: --service: ${notInGraphMessage(graph, values.service)} (scenario ${scenario.name})`,
      );
    }
    scenario = { ...scenario, alarmedService: values.service };
  }

  let sns: Awaited<ReturnType<typeof chooseSnsEndpoint>>;
  try {
    sns = values['no-sns']
      ? { endpoint: undefined, reason: '--no-sns' }
      : await chooseSnsEndpoint(values['sns-endpoint']);
  } catch (err) {
    throw new UsageError(`demo: ${(err as Error).message}`);
  }

  if (values.bundled) {
    if (sns.endpoint === undefined) {
      throw new UsageError(
        `demo: --bundled runs the deployed bundles, which need S3 and SNS: start moto_server (moto_server -H 127.0.0.1 -p 5000) or give --sns-endpoint (${sns.reason})`,
      );
    }
    const { runBundledDemo } = await import('./demo-bundled.ts');
    return runBundledDemo(scenario, sns.endpoint, out);
  }

  const verbose = values.verbose === true;
  const width = textWidth();
  const para = (label: string, text: string) =>
    out(`${wrap(neutralizeText(text), width, label.padEnd(LABEL_WIDTH)).join('\n')}\n`);
  out(`cascade-analyzer demo: the deployed workflow, run on this machine (no AWS account)\n\n`);
  para(
    'SCENARIO',
    `${scenario.name}: ${scenario.description}${scenario.source !== scenario.name ? ` (graph from ${show(scenario.source)})` : ''}`,
  );

  const base = values['data-dir'] ?? DEFAULT_DATA_DIR;
  const folder = demoStateFolder(base, values.graph === undefined ? values.scenario : undefined);
  const notifications: PublishedNotification[] = [];
  const pipeline = await unlessBusy('demo', () =>
    LocalPipeline.start({
      dataDir: folder,
      xray: { replay: scenario.snapshot },
      evidence: scenarioEvidence(scenario),
      watch: [scenario.alarmedService],
      ...(sns.endpoint !== undefined ? { snsEndpoint: sns.endpoint, cloudWatchEndpoint: sns.endpoint } : {}),
      onNotification: (n) => notifications.push(n),
      command: 'demo',
      ...(paging ? { paging: paging.paging } : {}),
    }),
  );
  if (pipeline === BUSY) return 1;
  try {
    const setupMs = performance.now() - t0;
    const taskCount = pipeline.app.tasks.length;
    const earlier = await pipeline.repository.listByService({ service: scenario.alarmedService, limit: 100 });
    const history = earlier.items.length;
    const historyText =
      history === 0 ? 'first finding' : `${history}${earlier.next ? '+' : ''} earlier finding(s)`;
    const snsText =
      sns.endpoint !== undefined
        ? `SNS topic ${pipeline.topicArn ?? ''} on ${sns.endpoint} (${sns.reason})`
        : `messages to the terminal and ${show(pipeline.dir.notifications)}/ (no SNS: ${sns.reason})`;
    if (verbose) {
      out(
        row(
          'workflow',
          `${pipeline.app.stateMachineLogicalId}, synthesized from the ${pipeline.app.stackName} stack (${taskCount} Task states, each running its handler's code here)`,
        ),
      );
      out(
        row(
          'store',
          `${show(pipeline.dir.root)}/ · DynamoDB table in dynalite · ${historyText} for ${scenario.alarmedService}`,
        ),
      );
      out(
        row(
          'incidents',
          folder === base
            ? `this folder's, shared with --graph runs; the other scenarios keep theirs in ${show(join(pipeline.dir.root, SCENARIOS_FOLDER))}/`
            : `this scenario's own (its own folder), so it never joins another scenario's incident`,
        ),
      );
      out(
        row(
          'X-Ray',
          `local endpoint ${pipeline.xrayEndpoint}, replaying the scenario as the last minutes' traffic and traces`,
        ),
      );
      out(
        row(
          'CloudTrail',
          `local endpoint ${pipeline.cloudTrail.endpoint}, replaying the scenario's change events`,
        ),
      );
      out(row('SNS', snsText));
      if (paging) out(row('pages', paging.description));
      out(row('ready in', duration(setupMs)));
    } else {
      para(
        'LOCAL STACK',
        `ready in ${duration(setupMs)}: the ${pipeline.app.stackName} state machine (${taskCount} steps), DynamoDB in ${show(pipeline.dir.root)}/ (${historyText} for ${scenario.alarmedService}), X-Ray and CloudTrail replaying the scenario, ${sns.endpoint !== undefined ? `SNS on ${sns.endpoint}` : 'messages to files (no SNS)'}`,
      );
    }
    if (paging && !verbose) para('PAGES TO', paging.description);
    let seededText: string | undefined;
    if (history === 0 && values.graph === undefined && scenario.expectedRootCause !== undefined && !paging) {
      // A fresh folder gets a small past (issue 21), so that "seen before" and `accuracy` show
      // something: bundled scenarios only, whose root cause is known to judge the past by. Not with
      // --page-to: the past would be paged to the receiver as if it were happening now.
      const seeded = await seedDemoHistory(pipeline, scenario, new Date());
      seededText = `${seeded.length} past incidents seeded by the demo (${seeded.map((x) => `${x.at.toISOString().slice(0, 10)} ${x.incidentId ?? x.analysisId}${x.verdict ? `, verdict ${x.verdict}` : ''}`).join('; ')}); their verdicts are by "${DEMO_VERDICT_BY}"`;
      if (verbose) out(row('history', seededText));
    }

    // Milliseconds, as CloudWatch writes state timestamps: two demos within one second are two
    // alarm state changes (two analyses), not a duplicate delivery of one.
    const at = new Date();
    const event = pipeline.alarmEvent(scenario.alarmedService, at);
    out('\n');
    para(
      'ALARM',
      `${event.detail.alarmName} on ${scenario.alarmedService} → ALARM at ${at.toISOString().slice(11, 19)} UTC${verbose ? '; EventBridge starts the workflow' : ''}`,
    );
    if (verbose) out('\n');

    let analysisId: string | undefined;
    let incident: { outcome: string; incidentId: string } | undefined;
    const steps = verbose
      ? undefined
      : stepsPrinter({ write: out, width, label: 'WORKFLOW'.padEnd(LABEL_WIDTH) });
    const printer = steps ?? progressPrinter({ write: out, tty: process.stdout.isTTY === true });
    const handedOver = Date.now();
    const report = await pipeline.run(event, {
      listener: (e) => {
        if (e.type === 'state-succeeded' && e.state === 'Prepare') {
          analysisId = (e.output as { analysisId?: string }).analysisId;
        }
        if (e.type === 'state-succeeded' && e.state === 'Correlate') {
          const i = (e.output as { incident?: { outcome?: unknown; incidentId?: unknown } }).incident;
          if (typeof i?.incidentId === 'string')
            incident = { outcome: String(i.outcome ?? ''), incidentId: i.incidentId };
        }
        printer(e);
      },
    });
    const notification =
      notifications.find((n) => n.analysisId === analysisId) ??
      (analysisId === undefined ? notifications[0] : undefined);
    analysisId ??= notification?.analysisId;

    const toNotification = notification ? `, alarm → message ${duration(notification.at - handedOver)}` : '';
    const outcome =
      report.status === 'SUCCEEDED'
        ? `SUCCEEDED in ${duration(report.ms)}${toNotification}`
        : `${report.status} after ${duration(report.ms)}: ${report.error?.Error ?? ''}`;
    if (verbose) {
      const limit = `${kib(report.largestPayload.bytes)} (${report.largestPayload.where}; Step Functions allows ${kib(MAX_PAYLOAD_BYTES)})`;
      const mark =
        report.status === 'SUCCEEDED' ? `${'Done'.padEnd(NAME_WIDTH)} ✓` : `${'Failed'.padEnd(NAME_WIDTH)} ✗`;
      const what = report.status === 'SUCCEEDED' ? `SUCCEEDED${toNotification}` : outcome;
      out(`  ${mark} ${duration(report.ms).padStart(7)}  execution ${neutralizeText(what)}\n`);
      out(`  ${''.padEnd(NAME_WIDTH)}            largest step input or output ${limit}\n`);
    } else {
      steps?.add(report.status === 'SUCCEEDED' ? `· SUCCEEDED in ${duration(report.ms)}` : `· ${outcome}`);
      steps?.end();
    }

    const finding = analysisId === undefined ? undefined : await pipeline.repository.get(analysisId);
    if (incident !== undefined) {
      para(
        'INCIDENT',
        `${incident.incidentId} (${incidentOutcome(incident.outcome)})${notification ? `; alarm → message ${duration(notification.at - handedOver)}` : ''}`,
      );
    }
    if (finding !== undefined) {
      out('\n');
      if (finding.status === 'COMPLETED')
        out(`${answerLines(neutralizeFinding(finding), width).join('\n')}\n`);
      else para('FAILED', finding.summary);
    }

    if (notification === undefined && incident !== undefined && finding?.status === 'COMPLETED') {
      out('\n');
      para('MESSAGE', `none new: incident ${incident.incidentId}'s messages already say this`);
    }
    if (notification !== undefined) {
      const where =
        notification.via === 'sns'
          ? `published to ${notification.topicArn ?? 'SNS'}, message ${notification.messageId}`
          : `written to ${show(notification.file ?? '')}`;
      out('\n');
      para('MESSAGE', `"${notification.subject}", ${where}`);
      if (verbose) {
        // The whole message: the readable part, then the key facts as JSON for machines.
        const cut = notification.message.indexOf(FACTS_SEPARATOR);
        const readable = cut >= 0 ? notification.message.slice(0, cut) : notification.message;
        const facts = cut >= 0 ? notification.message.slice(cut) : '';
        const text = `${wrapBlock(readable.split('\n').map(neutralizeText).join('\n'), width)}${facts}`;
        out(`${rule()}\nSubject: ${neutralizeText(notification.subject)}\n\n${text}\n${rule()}\n`);
      }
    }

    if (finding !== undefined && analysisId !== undefined) {
      const files = await writeOutputs(pipeline, finding);
      const top = finding.rootCauses[0];
      out('\n');
      out(row('REPORT', show(files.html)));
      out(row('FINDING', show(files.json)));
      const incidentId =
        notification?.attributes.incidentId ?? (await pipeline.incidents.incidentOf(analysisId));
      const link = consoleRow(pipeline, incidentId);
      if (link !== undefined) out(link);
      const where =
        pipeline.dir.root === resolve(DEFAULT_DATA_DIR)
          ? ''
          : ` --data-dir ${quoteArg(show(pipeline.dir.root))}`;
      out(row('MORE', `npx cascade-analyzer findings get ${analysisId}${where}`));
      out(
        row('', `npx cascade-analyzer findings list --service ${quoteArg(scenario.alarmedService)}${where}`),
      );
      if (!verbose) out(row('', 'demo --verbose: every step, the stack, the whole message'));
      if (top)
        out(
          row(
            'VERDICT',
            `npx cascade-analyzer findings feedback ${analysisId} --right | --wrong --actual NAME | --partly${where}`,
          ),
        );
      if (top) out(row('', `npx cascade-analyzer accuracy${where}`));
      if (seededText !== undefined && !verbose) out(row('HISTORY', seededText));
      if (scenario.expectedRootCause !== undefined && top?.service !== scenario.expectedRootCause) {
        out(`\nnote: the scenario was built around ${scenario.expectedRootCause} as root cause\n`);
      }
    } else {
      out('\nno finding was stored; the execution history above says why\n');
    }
    // The alarm goes back to OK: the incident resolves with its closing message, and the next run
    // is an incident of its own, which "seen before" can name.
    const okAt = new Date(Math.max(Date.now(), at.getTime() + 1));
    const closed = notifications.length;
    await pipeline.run(pipeline.okEvent(scenario.alarmedService, okAt));
    const closing = notifications.slice(closed).map((n) => n.subject);
    out('\n');
    para(
      'OK',
      `${event.detail.alarmName} → OK at ${okAt.toISOString().slice(11, 19)} UTC${closing.length > 0 ? `; ${closing.join('; ')}` : ''}`,
    );
    if (paging) {
      para(`PAGES (${paging.pages.length})`, '');
      for (const p of paging.pages) out(`  ${neutralizeText(pageLine(p))}\n`);
    }
    return report.status === 'SUCCEEDED' && finding?.status !== 'FAILED' ? 0 : 1;
  } finally {
    await pipeline.stop();
  }
}

/**
 * The finding as stored (findings/<id>.json is already there when the Analyze step wrote it; a
 * FAILED finding exists only in the table, so it is written out here) and its HTML report.
 */
async function writeOutputs(
  pipeline: LocalPipeline,
  finding: Finding,
): Promise<{ json: string; html: string }> {
  const name = safeFileName(finding.analysisId);
  const json = join(pipeline.dir.objects, 'findings', `${name}.json`);
  if (!existsSync(json)) {
    await mkdir(join(pipeline.dir.objects, 'findings'), { recursive: true });
    await writeFile(json, `${JSON.stringify(finding, null, 2)}\n`, 'utf8');
  }
  await mkdir(pipeline.dir.reports, { recursive: true });
  const html = join(pipeline.dir.reports, `${name}.html`);
  await writeFile(html, await renderReportHtml(finding), 'utf8');
  return { json, html };
}

function parseDemoArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: false,
    strict: true,
    options: {
      scenario: { type: 'string' },
      graph: { type: 'string' },
      service: { type: 'string' },
      'data-dir': { type: 'string' },
      'sns-endpoint': { type: 'string' },
      'no-sns': { type: 'boolean' },
      'page-to': { type: 'string' },
      bundled: { type: 'boolean' },
      verbose: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

/**
 * The link the message carries, said to be the deployed stack's: it opens the incident dashboard
 * once the stack is deployed in that region (docs/reports.md, "From the message to the picture").
 */
function consoleRow(pipeline: LocalPipeline, incidentId: string | undefined): string | undefined {
  const link = incidentId === undefined ? undefined : pipeline.consoleLink(incidentId);
  if (link === undefined) return undefined;
  const from = link.region.from === 'default' ? 'AWS_REGION unset' : `from ${link.region.from}`;
  const note = `the deployed stack's link (${link.region.region}, ${from}): opens after cdk deploy, signed in`;
  return `${row('CONSOLE', link.url)}${row('', note)}`;
}

/** One line; what it shows may come from the graph (service names), so it is neutralised. */
function row(label: string, text: string): string {
  return `${wrap(neutralizeText(text), textWidth(), label.padEnd(LABEL_WIDTH)).join('\n')}\n`;
}

/** What Correlate did with the alarm, in words. */
function incidentOutcome(outcome: string): string {
  switch (outcome) {
    case 'opened':
      return 'opened by this alarm';
    case 'joined':
      return 'this alarm joined it';
    case 'duplicate':
      return 'this alarm was already in it';
    default:
      return outcome;
  }
}

function rule(): string {
  return '─'.repeat(72);
}

/** A path relative to the working directory when it is inside it. */
function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

function quoteArg(s: string): string {
  return /^[A-Za-z0-9._:/-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}
