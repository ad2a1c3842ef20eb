// The deployed pipeline on this machine: the synthesized state machine run in-process, each Task
// state calling the real handler core with the real adapters against local servers — dynalite
// (data in the data folder), a local X-Ray endpoint, the file snapshot store, and SNS on moto or
// notification files. Handler configuration is the environment the stack gives each function.

import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { XRayClient } from '@aws-sdk/client-xray';
import { CloudTrailChangeSource, createCloudTrailClient } from '../adapters/change-source.ts';
import { DynamoFeedbackStore, type FeedbackReader, type FeedbackWriter } from '../adapters/feedback-store.ts';
import { createDynamoDBClient, DynamoFindingsRepository } from '../adapters/findings-repository.ts';
import {
  DynamoIncidentsStore,
  type IncidentsStore,
  type IncidentsWrite,
} from '../adapters/incidents-store.ts';
import { CloudWatchMetricsSource, createCloudWatchClient } from '../adapters/metrics-source.ts';
import { createSnsClient } from '../adapters/notifier.ts';
import { DynamoOutboxSweepList } from '../adapters/outbox-sweep-list.ts';
import { DynamoPastFindings, type PastFindingsLookup } from '../adapters/past-findings.ts';
import type {
  FindingsRepository,
  GraphSource,
  MetricsSource,
  Notifier,
  SnapshotStore,
} from '../adapters/ports.ts';
import { FileSnapshotStore } from '../adapters/snapshot-store.ts';
import { XRayTraceSource } from '../adapters/trace-source.ts';
import { createXRayClient } from '../adapters/xray-client.ts';
import { XRayGraphSource } from '../adapters/xray-source.ts';
import { analyzeIncident } from '../handlers/analyze.ts';
import type { ApiDeps } from '../handlers/api.ts';
import { collectEvidence } from '../handlers/collect-evidence.ts';
import { collectGraph } from '../handlers/collect-graph.ts';
import { type ApiAnalysisInput, ENV } from '../handlers/contracts.ts';
import { correlateAnalysis } from '../handlers/correlate.ts';
import { enrich } from '../handlers/enrich.ts';
import {
  checkRequiredEnv,
  type Env,
  evidenceSettings,
  type HandlerName,
  incidentConfig,
  prepareSettings,
  readAccessRules,
  readAlarmPrefix,
  readIncidentConsole,
  readSeenBeforeDays,
  readWatchedServices,
  retentionDays,
} from '../handlers/env.ts';
import { watchExecution } from '../handlers/execution-watch.ts';
import type { FlushDeps, IncidentDeps } from '../handlers/incidents.ts';
import { notifyFinding } from '../handlers/notify.ts';
import { prepare } from '../handlers/prepare.ts';
import { type RecordFailureDeps, recordFailure } from '../handlers/record-failure.ts';
import { resolveAlarm } from '../handlers/resolve-alarm.ts';
import { storeFinding } from '../handlers/store.ts';
import { type Swept, sweeperClaimant, sweepOutbox } from '../handlers/sweep-outbox.ts';
import type { WorkflowStarter } from '../handlers/workflow-starter.ts';
import { type ConsoleLink, consoleLinkFor } from '../report/console-link.ts';
import { type AlarmKind, type AlarmStateChangeEvent, serviceAlarmEvent } from './alarm-events.ts';
import type { StepKey, SynthesizedApp } from './app-model.ts';
import { type LocalCloudTrail, startLocalCloudTrail } from './cloudtrail-endpoint.ts';
import { deployRegion } from './console-region.ts';
import { type DataDir, type DataDirLock, dataDir as layoutOf, lockDataDir } from './data-dir.ts';
import { type EmbeddedDynamo, ensureFindingsTable, startDynalite } from './dynamodb.ts';
import { deliverExecutionStatus } from './execution-status.ts';
import { LOCAL_TABLE_NAME, LOCAL_TOPIC_NAME, localClientOptions } from './local-aws.ts';
import {
  createLocalTopic,
  FileNotifier,
  type NotificationListener,
  ObservedSnsNotifier,
  type PublishedNotification,
} from './notifications.ts';
import { replaySnapshot, type SnapshotDocument } from './replay.ts';
import type { EvidenceAnswers } from './replay-evidence.ts';
import {
  type ExecutionListener,
  type ExecutionReport,
  LocalStateMachine,
  loadSynthesizedApp,
  type TaskFunction,
} from './state-machine.ts';
import { type GraphPages, type GraphRequest, type LocalXRay, startLocalXRay } from './xray-endpoint.ts';

/** What answers X-Ray GetServiceGraph. */
export type XRaySetup =
  /** Replay a snapshot: windows ending within the stack's lookback see its incident graph. */
  | { readonly replay: SnapshotDocument; readonly pageSize?: number }
  /** Any answer per requested window. */
  | { readonly graphs: (request: GraphRequest) => GraphPages }
  /** An X-Ray endpoint already running (e.g. `AWS_ENDPOINT_URL_XRAY`). */
  | { readonly endpoint: string };

export interface LocalPipelineOptions {
  /** The data folder; without one, DynamoDB is in memory and documents go to a temporary folder. */
  readonly dataDir?: string;
  readonly xray: XRaySetup;
  /** Services the stack watches besides cdk.json's (each gets its alarms and X-Ray group). */
  readonly watch?: readonly string[];
  /** An SNS endpoint (moto): notifications are published there; without one they go to files. */
  readonly snsEndpoint?: string;
  /** A CloudWatch endpoint (moto) for the Enrich step; without one, no metrics are read. */
  readonly cloudWatchEndpoint?: string;
  /**
   * What the local X-Ray endpoint answers GetTraceSummaries and BatchGetTraces with, and the local
   * CloudTrail endpoint LookupEvents with (replay-evidence.ts); without it, no traces and no changes.
   * Ignored for an X-Ray `endpoint` given from outside.
   */
  readonly evidence?: EvidenceAnswers;
  /** Told about every notification sent. */
  readonly onNotification?: NotificationListener;
  /** Where incident messages are also paged (`demo --page-to`); the deployed stack's are in PAGING. */
  readonly paging?: Pick<FlushDeps, 'pagers' | 'pageOptions' | 'onPage'>;
  /** Who holds the data folder, for the "in use" message. @default 'local' */
  readonly command?: string;
  /** Milliseconds before each Step Functions retry instead of the definition's backoff (tests). */
  readonly retryDelayMs?: number;
  /** Told when an execution started through `starter` (the API) ends. */
  readonly onBackgroundExecution?: (report: ExecutionReport) => void;
  /** The clock of the incident steps. @default () => new Date() */
  readonly now?: () => Date;
  /** Told of every write of the incidents store (how many items it wrote), for measurements. */
  readonly onIncidentsWrite?: (write: IncidentsWrite) => void;
  /** Fault injection (chaos tests): wrap the adapters the steps get, or a Task state's function. */
  readonly faults?: {
    readonly adapters?: (real: StepAdapters) => StepAdapters;
    readonly task?: (state: string, fn: TaskFunction) => TaskFunction;
  };
}

const HANDLER_OF: Readonly<Record<StepKey, HandlerName>> = {
  prepare: 'prepare',
  collectGraph: 'collect-graph',
  collectEvidence: 'collect-evidence',
  enrich: 'enrich',
  analyze: 'analyze',
  store: 'store',
  notify: 'notify',
  recordFailure: 'record-failure',
  correlate: 'correlate',
  resolveAlarm: 'resolve-alarm',
};

/** An execution name already used: Step Functions keeps names unique per state machine. */
export class ExecutionAlreadyExistsError extends Error {
  override readonly name = 'ExecutionAlreadyExists';
}

interface PipelineParts {
  /** EventBridge's rule on execution status changes, and the ExecutionWatch function behind it. */
  readonly watch: (report: ExecutionReport) => Promise<void>;
  readonly app: SynthesizedApp;
  readonly dir: DataDir;
  readonly repository: DynamoFindingsRepository;
  readonly incidents: DynamoIncidentsStore;
  readonly feedback: DynamoFeedbackStore;
  readonly sweepList: DynamoOutboxSweepList;
  readonly snapshotStore: FileSnapshotStore;
  readonly xray: LocalXRay | undefined;
  readonly xrayEndpoint: string;
  readonly cloudTrail: LocalCloudTrail;
  readonly topicArn: string | undefined;
  readonly machine: LocalStateMachine;
  /** What the steps get (faults injected, if any): SweepOutbox gets the same. */
  readonly adapters: StepAdapters;
  readonly listeners: Set<NotificationListener>;
  readonly onBackground: ((report: ExecutionReport) => void) | undefined;
  readonly dynamo: EmbeddedDynamo;
  readonly clients: readonly { destroy(): void }[];
  readonly lock: DataDirLock | undefined;
  readonly tempDir: string | undefined;
}

export class LocalPipeline {
  readonly app: SynthesizedApp;
  readonly dir: DataDir;
  readonly repository: DynamoFindingsRepository;
  readonly incidents: DynamoIncidentsStore;
  /** On-call verdicts on the findings (issue 21). */
  readonly feedback: DynamoFeedbackStore;
  readonly snapshotStore: FileSnapshotStore;
  /** The local X-Ray endpoint, when this pipeline started one. */
  readonly xray: LocalXRay | undefined;
  readonly xrayEndpoint: string;
  /** The local CloudTrail endpoint (LookupEvents) the CollectEvidence step reads. */
  readonly cloudTrail: LocalCloudTrail;
  /** The topic notifications are published to, when an SNS endpoint is used. */
  readonly topicArn: string | undefined;
  /** Every execution name used (names are unique per state machine, as in Step Functions). */
  private readonly names = new Set<string>();
  private readonly running = new Set<Promise<ExecutionReport>>();
  private stopped = false;

  private constructor(private readonly parts: PipelineParts) {
    this.app = parts.app;
    this.dir = parts.dir;
    this.repository = parts.repository;
    this.incidents = parts.incidents;
    this.feedback = parts.feedback;
    this.snapshotStore = parts.snapshotStore;
    this.xray = parts.xray;
    this.xrayEndpoint = parts.xrayEndpoint;
    this.cloudTrail = parts.cloudTrail;
    this.topicArn = parts.topicArn;
  }

  /** Synthesizes the stack, starts the local servers and wires every step. */
  static async start(options: LocalPipelineOptions): Promise<LocalPipeline> {
    const app = await loadSynthesizedApp(await contextFor(options.watch ?? []));
    const tempDir =
      options.dataDir === undefined ? await mkdtemp(join(tmpdir(), 'cascade-analyzer-')) : undefined;
    const dir = layoutOf(options.dataDir ?? tempDir);
    const lock =
      options.dataDir === undefined ? undefined : await lockDataDir(dir, options.command ?? 'local');
    const started: { stop(): Promise<void> }[] = [];
    const clients: { destroy(): void }[] = [];
    try {
      const dynamo = await startDynalite(options.dataDir === undefined ? {} : { path: dir.dynamodb });
      started.push(dynamo);
      const dynamoClient: DynamoDBClient = createDynamoDBClient(local(dynamo.endpoint));
      clients.push(dynamoClient);
      await ensureFindingsTable(dynamoClient, LOCAL_TABLE_NAME);
      const repository = new DynamoFindingsRepository({
        client: dynamoClient,
        tableName: LOCAL_TABLE_NAME,
        retentionDays: retentionDays(envOf(app, 'store')),
      });
      const snapshotStore = new FileSnapshotStore({ dir: dir.objects });
      const incidents = new DynamoIncidentsStore({
        client: dynamoClient,
        tableName: LOCAL_TABLE_NAME,
        retentionDays: retentionDays(envOf(app, 'store')),
        ...(options.onIncidentsWrite !== undefined ? { onWrite: options.onIncidentsWrite } : {}),
      });
      const sweepList = new DynamoOutboxSweepList({
        client: dynamoClient,
        tableName: LOCAL_TABLE_NAME,
        retentionDays: retentionDays(envOf(app, 'store')),
      });
      const tableOptions = {
        client: dynamoClient,
        tableName: LOCAL_TABLE_NAME,
        retentionDays: retentionDays(envOf(app, 'store')),
        ...(options.now !== undefined ? { now: options.now } : {}),
      };
      const feedback = new DynamoFeedbackStore(tableOptions);
      const past = new DynamoPastFindings(tableOptions);

      let xray: LocalXRay | undefined;
      let xrayEndpoint: string;
      if ('endpoint' in options.xray) {
        xrayEndpoint = options.xray.endpoint;
      } else {
        const graphs =
          'graphs' in options.xray
            ? options.xray.graphs
            : replaySnapshot(options.xray.replay, {
                incidentMinutes: Number(envOf(app, 'prepare')[ENV.lookbackMinutes]),
                ...(options.xray.pageSize !== undefined ? { pageSize: options.xray.pageSize } : {}),
              });
        xray = await startLocalXRay({
          graphs,
          ...(options.evidence
            ? { traceSummaries: options.evidence.traceSummaries, traces: options.evidence.traces }
            : {}),
        });
        started.push(xray);
        xrayEndpoint = xray.endpoint;
      }
      const xrayClient: XRayClient = createXRayClient(local(xrayEndpoint));
      clients.push(xrayClient);
      const answers = options.evidence;
      const cloudTrail = await startLocalCloudTrail({ events: (range) => answers?.changes(range) ?? [] });
      started.push(cloudTrail);
      const cloudTrailClient: CloudTrailClient = createCloudTrailClient(local(cloudTrail.endpoint));
      clients.push(cloudTrailClient);

      let metricsSource: MetricsSource = NO_METRICS;
      if (options.cloudWatchEndpoint !== undefined) {
        const cw: CloudWatchClient = createCloudWatchClient(local(options.cloudWatchEndpoint));
        clients.push(cw);
        metricsSource = new CloudWatchMetricsSource({ client: cw });
      }

      const listeners = new Set<NotificationListener>();
      if (options.onNotification) listeners.add(options.onNotification);
      const tell: NotificationListener = (n) => {
        for (const l of listeners) l(n);
      };
      let notifier: Notifier;
      let topicArn: string | undefined;
      if (options.snsEndpoint !== undefined) {
        const sns: SNSClient = createSnsClient(local(options.snsEndpoint));
        clients.push(sns);
        topicArn = await createLocalTopic(sns, LOCAL_TOPIC_NAME);
        notifier = new ObservedSnsNotifier(sns, topicArn, tell);
      } else {
        notifier = new FileNotifier(dir.notifications, tell);
      }

      const real: StepAdapters = {
        graphSource: new XRayGraphSource({ client: xrayClient }),
        traceSource: new XRayTraceSource({ client: xrayClient }),
        // The local endpoint has no rate limit: no need to pace at CloudTrail's 2 calls a second.
        changeSource: new CloudTrailChangeSource({ client: cloudTrailClient, minCallIntervalMs: 0 }),
        region: app.region,
        metricsSource,
        snapshotStore,
        repository,
        notifier,
        incidents,
        history: { past, feedback },
        now: options.now ?? (() => new Date()),
        ...(options.paging !== undefined ? { paging: options.paging } : {}),
      };
      const adapters = options.faults?.adapters?.(real) ?? real;
      const tasks: Record<string, TaskFunction> = {};
      for (const task of app.tasks) {
        const fn = stepFunction(task.step, task.environment, adapters);
        tasks[task.state] = options.faults?.task?.(task.state, fn) ?? fn;
      }
      const machine = new LocalStateMachine(app, {
        tasks,
        ...(options.retryDelayMs !== undefined ? { retryDelayMs: options.retryDelayMs } : {}),
      });
      const watch = executionWatchOf(envOf(app, 'recordFailure'), adapters, options.faults?.task);
      return new LocalPipeline({
        watch,
        app,
        dir,
        repository,
        incidents,
        feedback,
        sweepList,
        snapshotStore,
        xray,
        xrayEndpoint,
        cloudTrail,
        topicArn,
        machine,
        adapters,
        listeners,
        onBackground: options.onBackgroundExecution,
        dynamo,
        clients,
        lock,
        tempDir,
      });
    } catch (err) {
      for (const c of clients) c.destroy();
      for (const s of started.reverse()) await s.stop().catch(() => undefined);
      await lock?.release();
      if (tempDir !== undefined) await rm(tempDir, { recursive: true, force: true });
      throw err;
    }
  }

  get stateMachineArn(): string {
    return this.parts.machine.arn;
  }

  private consoleLinkDeps(): { consoleLink?: ConsoleLink } {
    const consoleLink = localConsoleLink(this.app.apiEnvironment);
    return consoleLink !== undefined ? { consoleLink } : {};
  }

  /**
   * The link the deployed stack's messages carry for `incidentId` (its incident dashboard), with
   * the region it assumes; undefined when the synthesized stack names no incident dashboard.
   */
  consoleLink(incidentId: string): { url: string; region: ReturnType<typeof deployRegion> } | undefined {
    const link = localConsoleLink(this.app.sweepEnvironment);
    return link === undefined ? undefined : { url: link(incidentId), region: deployRegion() };
  }

  /** Subscribes to notifications; returns the unsubscribe function. */
  onNotification(listener: NotificationListener): () => void {
    this.parts.listeners.add(listener);
    return () => this.parts.listeners.delete(listener);
  }

  /** The event EventBridge delivers when the stack's `kind` alarm on `service` goes to ALARM at `at`. */
  alarmEvent(service: string, at: Date = new Date(), kind: AlarmKind = 'fault-rate'): AlarmStateChangeEvent {
    return serviceAlarmEvent(this.app, service, at, kind);
  }

  /** The event EventBridge delivers when that alarm goes back to OK at `at`. */
  okEvent(service: string, at: Date = new Date(), kind: AlarmKind = 'fault-rate'): AlarmStateChangeEvent {
    return serviceAlarmEvent(this.app, service, at, kind, 'OK');
  }

  /**
   * One execution of the state machine with `input`, as EventBridge or the API would start it.
   * Resolves with the execution's report when it ends, whatever the outcome.
   */
  run(
    input: unknown,
    options: { readonly name?: string; readonly listener?: ExecutionListener } = {},
  ): Promise<ExecutionReport> {
    if (this.stopped) return Promise.reject(new Error('the local pipeline is stopped'));
    const name = options.name ?? randomUUID();
    if (this.names.has(name)) {
      return Promise.reject(new ExecutionAlreadyExistsError(`Execution ${name} already exists`));
    }
    this.names.add(name);
    // As EventBridge does: an execution that ends without success goes to ExecutionWatch.
    const execution = this.parts.machine.run(input, name, options.listener).then(async (report) => {
      if (report.status !== 'SUCCEEDED') await this.parts.watch(report);
      return report;
    });
    this.running.add(execution);
    const done = () => this.running.delete(execution);
    execution.then(done, done);
    return execution;
  }

  /** The API's way in: starts an execution named after the analysis and returns at once. */
  readonly starter: WorkflowStarter = {
    start: async (name: string, input: ApiAnalysisInput) => {
      const execution = this.run(input, { name });
      execution.then(
        (report) => this.parts.onBackground?.(report),
        () => undefined,
      );
      await Promise.resolve();
      return { executionArn: `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}` };
    },
  };

  /** What the API handler needs, against this pipeline's store and workflow. */
  apiDeps(onError?: ApiDeps['onError']): ApiDeps {
    checkRequiredEnv('api', this.app.apiEnvironment);
    return {
      repository: this.repository,
      incidents: this.incidents,
      feedback: this.feedback,
      access: readAccessRules(this.app.apiEnvironment),
      starter: this.starter,
      newId: () => `api-${randomUUID()}`,
      now: () => new Date(),
      ...(onError !== undefined ? { onError } : {}),
      ...this.consoleLinkDeps(),
    };
  }

  /**
   * One run of SweepOutbox, as its schedule starts it every 5 minutes in AWS: the handler's code with
   * its function's environment, claiming as `sweeper:<requestId>`.
   */
  sweepOutbox(requestId: string = randomUUID()): Promise<Swept> {
    const env = this.app.sweepEnvironment;
    checkRequiredEnv('sweep-outbox', env);
    const a = this.parts.adapters;
    return sweepOutbox(sweeperClaimant(requestId), {
      ...flushDeps(env, a),
      work: this.parts.sweepList,
      findings: a.repository,
    });
  }

  /** Waits until every execution started so far has ended. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  /** Records where this process's API answers, for other commands (see data-dir.ts). */
  async announceApi(endpoint: string): Promise<void> {
    await this.parts.lock?.update({ apiEndpoint: endpoint });
  }

  /** Lets running executions finish, then stops the servers and releases the data folder. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.idle();
    for (const c of this.parts.clients) c.destroy();
    await this.xray?.stop();
    await this.parts.cloudTrail.stop();
    await this.parts.dynamo.stop();
    await this.parts.lock?.release();
    if (this.parts.tempDir !== undefined) await rm(this.parts.tempDir, { recursive: true, force: true });
  }
}

export type { PublishedNotification };

export interface StepAdapters {
  readonly graphSource: GraphSource;
  readonly traceSource: XRayTraceSource;
  readonly changeSource: CloudTrailChangeSource;
  readonly region: string;
  readonly metricsSource: MetricsSource;
  readonly snapshotStore: SnapshotStore;
  readonly repository: FindingsRepository;
  readonly notifier: Notifier;
  readonly incidents: IncidentsStore;
  /** Issue 21: past findings ("seen before") and verdict records. */
  readonly history: { readonly past: PastFindingsLookup; readonly feedback: FeedbackReader & FeedbackWriter };
  readonly now: () => Date;
  /** The pagers incident messages also go to, and what they are told. */
  readonly paging?: Pick<FlushDeps, 'pagers' | 'pageOptions' | 'onPage'>;
}

/**
 * The handler core behind a Task state, its dependencies built as the Lambda's cold start builds
 * them: from the function's environment (a missing variable fails here, naming it).
 */
function stepFunction(step: StepKey, env: Env, a: StepAdapters): TaskFunction {
  checkRequiredEnv(HANDLER_OF[step], env);
  switch (step) {
    case 'prepare': {
      const deps = { ...prepareSettings(env), now: () => new Date() };
      return async (input) => prepare(input, deps);
    }
    case 'collectGraph': {
      const deps = { graphSource: a.graphSource, snapshotStore: a.snapshotStore };
      return (input) => collectGraph(input, deps);
    }
    case 'collectEvidence': {
      const deps = {
        ...evidenceSettings(env),
        traceSource: a.traceSource,
        changeSource: a.changeSource,
        snapshotStore: a.snapshotStore,
        region: a.region,
      };
      return (input) => collectEvidence(input, deps);
    }
    case 'enrich': {
      const deps = { watched: readWatchedServices(env, true), metricsSource: a.metricsSource };
      return (input) => enrich(input, deps);
    }
    case 'analyze': {
      const deps = { watched: readWatchedServices(env, true), snapshotStore: a.snapshotStore };
      return (input) => analyzeIncident(input, deps);
    }
    case 'store': {
      const deps = {
        snapshotStore: a.snapshotStore,
        repository: a.repository,
        history: { ...a.history, seenBeforeDays: readSeenBeforeDays(env), now: a.now },
      };
      return (input) => storeFinding(input, deps);
    }
    case 'notify': {
      const deps = {
        snapshotStore: a.snapshotStore,
        notifier: a.notifier,
        repository: a.repository,
        incident: flushDeps(env, a),
      };
      return (input) => notifyFinding(input, deps);
    }
    case 'recordFailure': {
      const deps = recordFailureDepsOf(env, a);
      return (input) => recordFailure(input, deps);
    }
    case 'correlate': {
      const deps = { ...incidentDeps(env, a), repository: a.repository, snapshotStore: a.snapshotStore };
      return (input) => correlateAnalysis(input, deps);
    }
    case 'resolveAlarm': {
      const deps = incidentDeps(env, a);
      return (input) => resolveAlarm(input, deps);
    }
  }
}

/** RecordFailure's dependencies (ExecutionWatch's too) as its composition root builds them. */
function recordFailureDepsOf(env: Env, a: StepAdapters): RecordFailureDeps {
  return {
    watched: readWatchedServices(env, false),
    alarmPrefix: readAlarmPrefix(env),
    repository: a.repository,
    notifier: a.notifier,
    incident: flushDeps(env, a),
  };
}

/** The incident settings from the function's environment, over the pipeline's store and clock. */
function incidentDeps(env: Env, a: StepAdapters): IncidentDeps {
  const consoleLink = localConsoleLink(env);
  return {
    incidents: a.incidents,
    config: incidentConfig(env),
    now: a.now,
    ...(consoleLink !== undefined ? { consoleLink } : {}),
  };
}

/** The deployed stack's console link, as the function would write it there (console-region.ts). */
function localConsoleLink(env: Env): ConsoleLink | undefined {
  return consoleLinkFor(readIncidentConsole({ ...env, AWS_REGION: deployRegion().region }));
}

function flushDeps(env: Env, a: StepAdapters): FlushDeps {
  return {
    ...incidentDeps(env, a),
    repository: a.repository,
    notifier: a.notifier,
    ...a.paging,
    feedback: a.history.feedback,
  };
}

/**
 * EventBridge's delivery of an execution status change to ExecutionWatch (the function's code,
 * RecordFailure's environment): retried a few times as Lambda's asynchronous invocation is, then
 * dropped (the DLQ). `wrap` lets tests inject faults into it as into any step.
 */
function executionWatchOf(
  env: Env,
  a: StepAdapters,
  wrap: ((state: string, fn: TaskFunction) => TaskFunction) | undefined,
): (report: ExecutionReport) => Promise<void> {
  const deps = recordFailureDepsOf(env, a);
  const base: TaskFunction = (event) => watchExecution(event, deps);
  const fn = wrap?.('ExecutionWatch', base) ?? base;
  return (report) => deliverExecutionStatus(report, fn);
}

function envOf(app: SynthesizedApp, step: StepKey): Env {
  const task = app.tasks.find((t) => t.step === step);
  if (task === undefined) throw new Error(`the state machine has no ${step} step`);
  return task.environment;
}

const local = localClientOptions;

/** Without a CloudWatch endpoint there are no metrics: Enrich goes on with the graph alone. */
const NO_METRICS: MetricsSource = {
  async getMetrics(queries) {
    return queries.map((q) => ({ id: q.id, timestamps: [], values: [] }));
  },
};

/** cdk.json's context with `watch` added to its watched services. */
async function contextFor(watch: readonly string[]): Promise<Record<string, unknown>> {
  if (watch.length === 0) return {};
  const cdkJson = JSON.parse(await readFile(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context?: { watchedServices?: unknown };
  };
  let watched = cdkJson.context?.watchedServices ?? [];
  if (typeof watched === 'string') watched = JSON.parse(watched);
  const list = Array.isArray(watched) ? [...(watched as { name?: unknown }[])] : [];
  for (const name of watch) if (!list.some((w) => w.name === name)) list.push({ name });
  return { watchedServices: list };
}
