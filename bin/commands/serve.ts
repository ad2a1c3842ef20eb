// `cascade-analyzer serve`: the REST API of the deployed stack on a local port — the same handler,
// routes and status codes — with POST /analyses running the synthesized workflow in this process
// against the embedded DynamoDB and a local X-Ray endpoint replaying a scenario.

import { parseArgs } from 'node:util';
import { startLocalApi } from '../../lambdas/local/api-server.ts';
import { DEFAULT_DATA_DIR } from '../../lambdas/local/data-dir.ts';
import { quietSdkNodeWarning } from '../../lambdas/local/local-aws.ts';
import { chooseSnsEndpoint } from '../../lambdas/local/notifications.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { causeMessage, duration } from '../../lambdas/local/progress.ts';
import { scenarioEvidence } from '../../lambdas/local/replay-evidence.ts';
import {
  findScenario,
  type Scenario,
  ScenarioError,
  type ScenarioProvider,
  scenarioFromGraphFile,
} from '../../lambdas/local/scenarios.ts';
import type { ExecutionReport } from '../../lambdas/local/state-machine.ts';
import { neutralizeText } from '../../lambdas/report/format.ts';
import type { Command } from './command.ts';
import { BUSY, unlessBusy } from './data-dir-busy.ts';
import { DEMO_SCENARIOS } from './demo.ts';
import { argsProblem, UsageError } from './usage-error.ts';

export const DEFAULT_PORT = 3000;

export function serveHelp(scenarios: ScenarioProvider): string {
  return `Usage: cascade-analyzer serve [--port N] [--scenario NAME | --graph FILE] [options]

Serves the analyses API of the deployed stack on 127.0.0.1, no AWS account needed: the API Lambda's
own code, the same routes and status codes. POST /analyses starts the synthesized state machine in
this process; findings go to the embedded DynamoDB in the data folder. X-Ray is a local endpoint
that replays the scenario as if its incident were happening now.

  POST /analyses                {"service": "frontend"}     202 {"analysisId", "location"} + Location
  GET  /analyses/{id}                                       200 the Finding, or 404
  GET  /analyses?service=NAME[&from=&to=&limit=&next=]      200 {"items", "next"}, newest first
  GET  /analyses/{id}/report                                200 the HTML report
  GET  /incidents?service=NAME[&from=&to=&limit=&next=]     200 {"items", "next"}: incidents with an
                                                            alarm on the service, newest first
  GET  /incidents/{id}                                      200 the incident (alarms, analyses,
                                                            messages, timeline), or 404
  GET  /incidents/{id}/postmortem?format=markdown|json      200 a postmortem draft (Markdown by
                                                            default), or 404
  POST /findings/{id}/feedback  {"verdict": "wrong", "actual": "payment-service", "by": "me"}
                                                            200 the verdict record (one verdict
                                                            per person, and the history)
  GET  /findings/{id}/feedback                              200 the verdict record, or 404
  GET  /accuracy?from=&to=&service= (each optional)        200 the live accuracy from the verdicts

Options:
  --port N             the port (default ${DEFAULT_PORT}; 0 picks a free one)
  --scenario NAME      what X-Ray replays: ${scenarios.names().join(', ')} (default: shop)
  --graph FILE         your own graph instead ({"incident": …, "baseline": …})
  --data-dir DIR       the data folder (default: ${DEFAULT_DATA_DIR}/)
  --sns-endpoint URL   publish notifications to SNS there (moto_server); default: as for demo
  --no-sns             write notifications to files even when moto_server is running
  -h, --help           show this help

No authentication: it listens on 127.0.0.1 only. Ctrl-C stops it (running analyses finish first).
`;
}

export function createServeCommand(scenarios: ScenarioProvider): Command {
  const help = serveHelp(scenarios);
  return {
    name: 'serve',
    summary: 'the analyses API on a local port, running the workflow in-process (curl-able)',
    help,
    run: (args) => runServe(args, scenarios, help),
  };
}

export const serveCommand: Command = createServeCommand(DEMO_SCENARIOS);

async function runServe(args: readonly string[], scenarios: ScenarioProvider, help: string): Promise<number> {
  let values: ReturnType<typeof parseServeArgs>;
  try {
    values = parseServeArgs(args);
  } catch (err) {
    throw new UsageError(`serve: ${argsProblem(err)}`);
  }
  if (values.help) {
    process.stdout.write(help);
    return 0;
  }
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new UsageError(`serve: --port must be a whole number from 0 to 65535, got "${values.port}"`);
  }
  if (values.scenario !== undefined && values.graph !== undefined) {
    throw new UsageError('serve: give --scenario or --graph, not both');
  }
  if (values['sns-endpoint'] !== undefined && values['no-sns']) {
    throw new UsageError('serve: give --sns-endpoint or --no-sns, not both');
  }
  quietSdkNodeWarning();
  let scenario: Scenario;
  let sns: Awaited<ReturnType<typeof chooseSnsEndpoint>>;
  try {
    scenario =
      values.graph !== undefined
        ? await scenarioFromGraphFile(values.graph)
        : await findScenario(scenarios, values.scenario ?? 'shop');
  } catch (err) {
    if (err instanceof ScenarioError) throw new UsageError(`serve: ${err.message}`);
    throw err;
  }
  try {
    sns = values['no-sns']
      ? { endpoint: undefined, reason: '--no-sns' }
      : await chooseSnsEndpoint(values['sns-endpoint']);
  } catch (err) {
    throw new UsageError(`serve: ${(err as Error).message}`);
  }

  const out = (text: string) => process.stdout.write(text);
  const pipelineOpened = await unlessBusy('serve', () =>
    LocalPipeline.start({
      dataDir: values['data-dir'] ?? DEFAULT_DATA_DIR,
      xray: { replay: scenario.snapshot },
      evidence: scenarioEvidence(scenario),
      watch: [scenario.alarmedService],
      ...(sns.endpoint !== undefined ? { snsEndpoint: sns.endpoint, cloudWatchEndpoint: sns.endpoint } : {}),
      command: 'serve',
      onBackgroundExecution: (r) => {
        // It may name a root cause from the graph: neutralised, so that no name forges a line.
        void describeExecution(pipeline, r).then((text) => out(`  ${neutralizeText(text)}\n`));
      },
    }),
  );
  if (pipelineOpened === BUSY) return 1;
  const pipeline = pipelineOpened;
  let api: Awaited<ReturnType<typeof startLocalApi>>;
  try {
    api = await startLocalApi({
      deps: pipeline.apiDeps((error, requestId) =>
        process.stderr.write(`  request ${requestId} failed: ${(error as Error).stack ?? String(error)}\n`),
      ),
      port,
      onRequest: (r) => out(`${neutralizeText(`${r.method} ${r.path}`)} → ${r.status} (${duration(r.ms)})\n`),
    });
  } catch (err) {
    await pipeline.stop();
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES') {
      process.stderr.write(
        `cascade-analyzer: serve: port ${port} is not available (${code}); try --port 0\n`,
      );
      return 1;
    }
    throw err;
  }
  await pipeline.announceApi(api.endpoint);

  const e = api.endpoint;
  const svc = scenario.alarmedService;
  out('cascade-analyzer serve: the analyses API of the deployed stack, on this machine (no AWS account)\n\n');
  out(`listening on ${e}  (no authentication: local only)\n`);
  out(
    `workflow     ${pipeline.app.stateMachineLogicalId} from the synthesized ${pipeline.app.stackName} stack\n`,
  );
  out(`store        ${pipeline.dir.root}\n`);
  out(`X-Ray        ${pipeline.xrayEndpoint}, replaying ${scenario.name} as happening now\n`);
  out(
    `SNS          ${sns.endpoint !== undefined ? `topic ${pipeline.topicArn ?? ''} on ${sns.endpoint}` : `none: notifications go to ${pipeline.dir.notifications}/`}\n\n`,
  );
  out('try:\n');
  out(`  curl -si -X POST ${e}/analyses -H 'content-type: application/json' -d '{"service":"${svc}"}'\n`);
  out(`  curl -s ${e}/analyses/ID          # ID from the answer's analysisId\n`);
  out(`  curl -s '${e}/analyses?service=${encodeURIComponent(svc)}'\n`);
  out(`  open ${e}/analyses/ID/report\n\n`);
  out('Ctrl-C stops it.\n\n');

  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  out('\nstopping: letting running analyses finish…\n');
  await api.stop();
  await pipeline.stop();
  return 0;
}

/** One line on an API-started execution once it ended: its outcome and the stored finding. */
async function describeExecution(pipeline: LocalPipeline, r: ExecutionReport): Promise<string> {
  const head = `execution ${r.name} ${r.status} in ${duration(r.ms)}`;
  if (r.status !== 'SUCCEEDED')
    return `${head}: ${r.error?.Error ?? ''}: ${causeMessage(r.error?.Cause ?? '')}`;
  const finding = await pipeline.repository.get(r.name).catch(() => undefined);
  if (finding === undefined) return head;
  const top = finding.rootCauses[0];
  return `${head}: ${finding.status}${top ? `, root cause ${top.service}` : ''}`;
}

function parseServeArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: false,
    strict: true,
    options: {
      port: { type: 'string' },
      scenario: { type: 'string' },
      graph: { type: 'string' },
      'data-dir': { type: 'string' },
      'sns-endpoint': { type: 'string' },
      'no-sns': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}
