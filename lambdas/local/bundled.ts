// The workflow on the deployed artifacts: the stack synthesized with its assets (cdk.out), each
// Task state invoking its function's esbuild bundle — index.mjs, as `cdk deploy` uploads it — in a
// process of its own with exactly the environment of its template resource, intrinsics resolved to
// the local resources created here: the bucket and topic on moto_server, the table in dynalite,
// the X-Ray endpoint replaying a snapshot (and trace summaries), the CloudTrail endpoint replaying
// change events. Lambda's runtime supplies only the AWS SDK v3, so only
// that resolves beside the assets, and layers are where Lambda puts them (/opt → the layer's asset).
// A missing variable, a bundling mistake or an unresolvable import fails the cold start here.

import { type ChildProcess, fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand } from '@aws-sdk/client-s3';
import { createDynamoDBClient, DynamoFindingsRepository } from '../adapters/findings-repository.ts';
import { createSnsClient } from '../adapters/notifier.ts';
import { createS3Client } from '../adapters/snapshot-store.ts';
import { ENV } from '../handlers/contracts.ts';
import { type AlarmKind, type AlarmStateChangeEvent, serviceAlarmEvent } from './alarm-events.ts';
import type { ContextOverrides, SynthesizedApp } from './app-model.ts';
import { type CloudAssembly, type FunctionAsset, readCloudAssembly } from './cloud-assembly.ts';
import { type LocalCloudTrail, startLocalCloudTrail } from './cloudtrail-endpoint.ts';
import { type EmbeddedDynamo, ensureFindingsTable, startDynalite } from './dynamodb.ts';
import { deliverExecutionStatus } from './execution-status.ts';
import { resolver } from './intrinsics.ts';
import { LOCAL_CREDENTIALS, LOCAL_REGION, localClientOptions } from './local-aws.ts';
import { createLocalTopic } from './notifications.ts';
import { replaySnapshot, type SnapshotDocument } from './replay.ts';
import type { EvidenceAnswers } from './replay-evidence.ts';
import { type ExecutionListener, type ExecutionReport, LocalStateMachine } from './state-machine.ts';
import { type LocalXRay, startLocalXRay } from './xray-endpoint.ts';

const RUNNER = fileURLToPath(new URL('../../lambdas/local/lambda-runner.mjs', import.meta.url));
/** Where the repository's AWS SDK v3 is: it stands in for the one Lambda's Node.js runtime ships. */
const SDK_DIR = join(
  dirname(fileURLToPath(new URL('../../package.json', import.meta.url))),
  'node_modules/@aws-sdk',
);
const SYNTH_MODULE = new URL(
  import.meta.url.endsWith('.ts') ? './synth-app.ts' : './synth-app.mjs',
  import.meta.url,
).href;

/** TableV2 synthesizes a global table. */
const TABLE_TYPES = new Set(['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable']);

export interface BundledPipelineOptions {
  /** What X-Ray answers: windows within the stack's lookback see the incident graph. */
  readonly replay: SnapshotDocument;
  /** moto_server: the snapshot bucket (S3) and the findings topic (SNS) live there. */
  readonly motoEndpoint: string;
  /**
   * What X-Ray answers GetTraceSummaries and BatchGetTraces with, and CloudTrail LookupEvents with
   * (replay-evidence.ts); without it, no traces and no changes.
   */
  readonly evidence?: EvidenceAnswers;
  /** Context values that differ from cdk.json (e.g. watched services). */
  readonly overrides?: ContextOverrides;
  /** Milliseconds before each Step Functions retry instead of the definition's backoff (tests). */
  readonly retryDelayMs?: number;
  /** Told each line a function writes to stderr (its logs go to stdout and are dropped). */
  readonly onFunctionStderr?: (logicalId: string, line: string) => void;
}

/** A function's cold start failed: the error Lambda would report, with the function named. */
export class FunctionInitError extends Error {
  override readonly name = 'Runtime.InitError';
}

/** One running function: its bundle loaded in a child process with its template environment. */
export class BundledFunction {
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private nextId = 0;
  private exited: Error | undefined;

  private constructor(
    readonly asset: FunctionAsset,
    readonly environment: Readonly<Record<string, string>>,
    private readonly child: ChildProcess,
  ) {
    child.on(
      'message',
      (m: { type: string; id?: number; result?: unknown; error?: Record<string, unknown> }) => {
        const call = m.id === undefined ? undefined : this.pending.get(m.id);
        if (call === undefined) return;
        this.pending.delete(m.id as number);
        if (m.type === 'result') call.resolve(m.result);
        else call.reject(lambdaError(m.error ?? {}));
      },
    );
    child.on('exit', (code) => {
      this.exited = new Error(`function ${asset.logicalId} exited (code ${code})`);
      for (const call of this.pending.values()) call.reject(this.exited);
      this.pending.clear();
    });
  }

  /** Starts the function: resolves once its cold start succeeded, rejects naming what failed. */
  static start(
    asset: FunctionAsset,
    environment: Readonly<Record<string, string>>,
    onStderr?: (line: string) => void,
  ): Promise<BundledFunction> {
    const child = fork(RUNNER, [asset.entry, asset.exportName], {
      cwd: asset.dir,
      env: environment,
      execArgv: [],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    let stderr = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      stderr += chunk;
      if (onStderr) for (const line of chunk.split('\n').filter(Boolean)) onStderr(line);
    });
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        child.kill();
        reject(new FunctionInitError(`${asset.logicalId} (${asset.entry}): ${why}`));
      };
      child.once('message', (m: { type: string; error?: { errorType?: string; errorMessage?: string } }) => {
        if (m.type === 'ready') resolve(new BundledFunction(asset, environment, child));
        else fail(`${m.error?.errorType ?? 'Error'}: ${m.error?.errorMessage ?? 'cold start failed'}`);
      });
      child.once('exit', (code) =>
        fail(`exited during its cold start (code ${code}) ${stderr.trim().slice(-800)}`),
      );
      child.once('error', (err) => fail(err.message));
    });
  }

  /** One invocation; rejects with the function's error (name and message as Lambda reports them). */
  invoke(event: unknown): Promise<unknown> {
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, event });
    });
  }

  stop(): void {
    this.child.kill();
  }
}

function lambdaError(e: Record<string, unknown>): Error {
  const err = new Error(String(e.errorMessage ?? 'error'));
  err.name = String(e.errorType ?? 'Error');
  return err;
}

export class BundledPipeline {
  private constructor(
    readonly app: SynthesizedApp,
    readonly assembly: CloudAssembly,
    readonly functions: ReadonlyMap<string, BundledFunction>,
    readonly repository: DynamoFindingsRepository,
    readonly topicArn: string,
    private readonly machine: LocalStateMachine,
    private readonly watch: BundledFunction,
    private readonly stopAll: () => Promise<void>,
  ) {}

  /** Synthesizes the stack with its assets, creates the local resources and starts every function. */
  static async start(options: BundledPipelineOptions): Promise<BundledPipeline> {
    const outdir = mkdtempSync(join(tmpdir(), 'cascade-analyzer-cdk.out-'));
    const functions = new Map<string, BundledFunction>();
    let dynamo: EmbeddedDynamo | undefined;
    let xray: LocalXRay | undefined;
    let cloudTrail: LocalCloudTrail | undefined;
    const stop = async () => {
      for (const f of functions.values()) f.stop();
      await xray?.stop();
      await cloudTrail?.stop();
      await dynamo?.stop();
      rmSync(outdir, { recursive: true, force: true });
    };
    try {
      const mod = (await import(SYNTH_MODULE)) as {
        synthesizeAssembly: (
          outdir: string,
          o: ContextOverrides,
        ) => { stackName: string; app: SynthesizedApp };
      };
      const { stackName, app } = mod.synthesizeAssembly(outdir, options.overrides ?? {});
      const assembly = readCloudAssembly(outdir, stackName);
      // Lambda's Node.js runtime has the AWS SDK v3 and nothing else a bundle could import.
      mkdirSync(join(outdir, 'node_modules'));
      symlinkSync(SDK_DIR, join(outdir, 'node_modules/@aws-sdk'), 'dir');

      const local = localClientOptions(options.motoEndpoint);
      dynamo = await startDynalite();
      const resources = assembly.template.Resources;
      const names = new Map<string, { ref: string; arn: string }>();
      const dynamoClient = createDynamoDBClient(localClientOptions(dynamo.endpoint));
      const s3 = createS3Client({ ...local, forcePathStyle: true });
      const sns = createSnsClient(local);
      try {
        for (const [id, r] of Object.entries(resources)) {
          if (r.Type === 'AWS::S3::Bucket') {
            const bucket = `local-${id.toLowerCase()}`.slice(0, 63);
            await s3.send(new CreateBucketCommand({ Bucket: bucket }));
            names.set(id, { ref: bucket, arn: `arn:aws:s3:::${bucket}` });
          } else if (TABLE_TYPES.has(r.Type)) {
            await ensureFindingsTable(dynamoClient, id);
            names.set(id, { ref: id, arn: `arn:aws:dynamodb:${LOCAL_REGION}:${app.account}:table/${id}` });
          } else if (r.Type === 'AWS::SNS::Topic') {
            const arn = await createLocalTopic(sns, id);
            names.set(id, { ref: arn, arn });
          } else if (r.Type === 'AWS::StepFunctions::StateMachine') {
            const arn = `arn:aws:states:${LOCAL_REGION}:${app.account}:stateMachine:${id}`;
            names.set(id, { ref: arn, arn });
          }
        }
      } finally {
        s3.destroy();
        sns.destroy();
      }
      const resolve = resolver(resources, {
        region: LOCAL_REGION,
        account: app.account,
        stackName,
        ref: (id) => names.get(id)?.ref,
        getAtt: (id, attr) => (attr === 'Arn' ? names.get(id)?.arn : undefined),
      });

      const prepare = app.tasks.find((t) => t.step === 'prepare');
      xray = await startLocalXRay({
        graphs: replaySnapshot(options.replay, {
          incidentMinutes: Number(prepare?.environment[ENV.lookbackMinutes] ?? 60),
        }),
        ...(options.evidence
          ? { traceSummaries: options.evidence.traceSummaries, traces: options.evidence.traces }
          : {}),
      });
      const answers = options.evidence;
      cloudTrail = await startLocalCloudTrail({ events: (range) => answers?.changes(range) ?? [] });
      const endpoints = {
        AWS_ENDPOINT_URL_S3: options.motoEndpoint,
        AWS_ENDPOINT_URL_SNS: options.motoEndpoint,
        AWS_ENDPOINT_URL_CLOUDWATCH: options.motoEndpoint,
        AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
        AWS_ENDPOINT_URL_XRAY: xray.endpoint,
        AWS_ENDPOINT_URL_CLOUDTRAIL: cloudTrail.endpoint,
      };
      // The Task states' functions, and ExecutionWatch: the target of the rule on executions.
      const watcher = executionWatcherOf(resources);
      const wanted = new Set([
        ...app.tasks.map((t) => t.functionLogicalId),
        ...(watcher !== undefined ? [watcher] : []),
      ]);
      const assets = assembly.functions.filter((f) => wanted.has(f.logicalId) || isApi(f, resources));
      const started = await Promise.all(
        assets.map((asset) =>
          BundledFunction.start(
            asset,
            lambdaEnvironment(asset, resolve, resources, endpoints),
            options.onFunctionStderr
              ? (line) => options.onFunctionStderr?.(asset.logicalId, line)
              : undefined,
          ).then((f) => functions.set(asset.logicalId, f)),
        ),
      );
      if (started.length !== assets.length) throw new Error('not every function started');

      const tasks: Record<string, (input: unknown) => Promise<unknown>> = {};
      for (const task of app.tasks) {
        const fn = functions.get(task.functionLogicalId);
        if (fn === undefined)
          throw new Error(`Task ${task.state}: no bundled function ${task.functionLogicalId}`);
        tasks[task.state] = (input) => fn.invoke(input);
      }
      const machine = new LocalStateMachine(app, {
        tasks,
        ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
      });
      const table = [...names.keys()].find((id) => TABLE_TYPES.has(resources[id]?.Type ?? ''));
      const topic = [...names.keys()].find((id) => resources[id]?.Type === 'AWS::SNS::Topic');
      if (table === undefined || topic === undefined)
        throw new Error('the stack has no findings table or topic');
      const repository = new DynamoFindingsRepository({
        client: dynamoClient,
        tableName: table,
        retentionDays: 1,
      });
      const watch = watcher === undefined ? undefined : functions.get(watcher);
      if (watch === undefined) throw new Error('the stack has no ExecutionWatch function');
      return new BundledPipeline(
        app,
        assembly,
        functions,
        repository,
        names.get(topic)?.ref ?? '',
        machine,
        watch,
        async () => {
          dynamoClient.destroy();
          await stop();
        },
      );
    } catch (err) {
      await stop();
      throw err;
    }
  }

  /** The event EventBridge delivers when the stack's `kind` alarm on `service` goes to ALARM. */
  alarmEvent(service: string, at: Date = new Date(), kind: AlarmKind = 'fault-rate'): AlarmStateChangeEvent {
    return serviceAlarmEvent(this.app, service, at, kind);
  }

  /** The event EventBridge delivers when that alarm goes back to OK at `at`. */
  okEvent(service: string, at: Date = new Date(), kind: AlarmKind = 'fault-rate'): AlarmStateChangeEvent {
    return serviceAlarmEvent(this.app, service, at, kind, 'OK');
  }

  /** One execution; as EventBridge does, one that ends without success goes to ExecutionWatch's bundle. */
  async run(
    input: unknown,
    options: { readonly name?: string; readonly listener?: ExecutionListener } = {},
  ): Promise<ExecutionReport> {
    const report = await this.machine.run(input, options.name ?? `bundled-${Date.now()}`, options.listener);
    if (report.status !== 'SUCCEEDED') await this.watchExecution(report);
    return report;
  }

  /** Hands `report`'s status change to ExecutionWatch's bundle (as the execution-status rule does). */
  watchExecution(report: ExecutionReport): Promise<void> {
    return deliverExecutionStatus(report, (event) => this.watch.invoke(event));
  }

  /** The API function's bundle (it carries the Graphviz layer), invoked with an API Gateway event. */
  api(): BundledFunction {
    const api = [...this.functions.values()].find((f) => isApi(f.asset, this.assembly.template.Resources));
    if (api === undefined) throw new Error('the stack has no API function');
    return api;
  }

  stop(): Promise<void> {
    return this.stopAll();
  }
}

/** The function the rule on the state machine's execution status changes targets (ExecutionWatch). */
function executionWatcherOf(resources: CloudAssembly['template']['Resources']): string | undefined {
  for (const r of Object.values(resources)) {
    if (r.Type !== 'AWS::Events::Rule') continue;
    const pattern = r.Properties?.EventPattern as { source?: unknown } | undefined;
    if (!JSON.stringify(pattern?.source ?? '').includes('aws.states')) continue;
    for (const t of (r.Properties?.Targets ?? []) as { Arn?: unknown }[]) {
      const id = (t.Arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt']?.[0];
      if (id !== undefined && resources[id]?.Type === 'AWS::Lambda::Function') return id;
    }
  }
  return undefined;
}

/** The API function: the one API Gateway may invoke. */
function isApi(asset: FunctionAsset, resources: CloudAssembly['template']['Resources']): boolean {
  return Object.values(resources).some(
    (r) =>
      r.Type === 'AWS::Lambda::Permission' &&
      r.Properties?.Principal === 'apigateway.amazonaws.com' &&
      JSON.stringify(r.Properties?.FunctionName ?? '').includes(`"${asset.logicalId}"`),
  );
}

/**
 * What Lambda gives a function: its template variables (resolved), the runtime's own variables,
 * credentials and, here, the local endpoints. `/opt/…` paths point into the layer's asset.
 */
function lambdaEnvironment(
  asset: FunctionAsset,
  resolve: (v: unknown) => unknown,
  resources: CloudAssembly['template']['Resources'],
  endpoints: Readonly<Record<string, string>>,
): Record<string, string> {
  if (asset.layers.length > 1)
    throw new Error(`${asset.logicalId}: the bundled run merges at most one layer into /opt`);
  const opt = asset.layers[0];
  const p = resources[asset.logicalId]?.Properties ?? {};
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(asset.environment)) {
    const v = String(resolve(value));
    env[name] = opt !== undefined && v.startsWith('/opt/') ? join(opt, v.slice('/opt/'.length)) : v;
  }
  const timeoutMs = Number(p.Timeout ?? 3) * 1000;
  return {
    ...env,
    AWS_LAMBDA_FUNCTION_NAME: asset.logicalId,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(p.MemorySize ?? 128),
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${asset.logicalId}`,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    LAMBDA_TASK_ROOT: asset.dir,
    AWS_REGION: LOCAL_REGION,
    AWS_DEFAULT_REGION: LOCAL_REGION,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    TZ: 'UTC',
    CASCADE_LAMBDA_TIMEOUT_MS: String(timeoutMs),
    ...endpoints,
  };
}
