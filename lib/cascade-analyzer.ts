// The whole analyzer as one construct: alarms per watched service, the EventBridge rule, the
// workflow and its Lambdas, the findings table, the snapshot bucket, the SNS topic, the API and
// the analyzer's own dashboard and alarms. The standalone app (lib/cascade-analyzer-stack.ts) and
// a team's own CDK app (docs/own-cdk-app.md) both build the analyzer through it: this is the one
// place where it is wired. Environment-agnostic: no account, region or resource names are hard-coded.

import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type CascadeAnalyzerConfig, CONFIG_DEFAULTS, ConfigError, parseConfig } from './config.ts';
import { accuracyWidgets, allowVerdictWrites } from './constructs/accuracy.ts';
import { AlarmTrigger } from './constructs/alarm-trigger.ts';
import { AnalyzerFunction } from './constructs/analyzer-function.ts';
import { AnalysesApi } from './constructs/api.ts';
import { ExecutionWatch } from './constructs/execution-watch.ts';
import { FINDINGS_KEYS, FindingsTable } from './constructs/findings-table.ts';
import { GRAPHVIZ_MODULE_PATH, GraphvizLayer } from './constructs/graphviz-layer.ts';
import { IncidentConsole, incidentDashboardName } from './constructs/incident-console.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Notifications } from './constructs/notifications.ts';
import { OutboxSweeper } from './constructs/outbox-sweeper.ts';
import { Paging } from './constructs/paging.ts';
import { ServiceAlarms } from './constructs/service-alarms.ts';
import { SnapshotStore } from './constructs/snapshot-store.ts';
import { Workflow, type WorkflowSteps } from './constructs/workflow.ts';
import { acknowledgeNagFindings } from './nag-suppressions.ts';
import { xrayGroupName } from './naming.ts';
import { ANALYZE_MEMORY_MB } from './sizing.ts';

/** A service the analyzer watches: it gets a fault-rate and a p99 alarm on X-Ray group metrics. */
export interface WatchedService {
  /** The X-Ray service name, as on the service map. No quotes or backslashes. */
  readonly name: string;
  /**
   * An X-Ray filter expression ANDed with `service("name")`, e.g. `annotation.env = "prod"`.
   * @default none (every trace of the service)
   */
  readonly filterExpression?: string;
  /**
   * Fault (5xx) share of the service's traces, from 0 to 1, above which its alarm fires.
   * @default 0.05
   */
  readonly faultRate?: number;
  /**
   * The p99 alarm fires when more than 1 % of the service's traces take longer than this.
   * @default 1
   */
  readonly p99Seconds?: number;
  /**
   * Traces per minute below which the service's alarms stay quiet (too little traffic to judge).
   * @default 10
   */
  readonly minTracesPerMinute?: number;
  /**
   * A CloudWatch metric telling how hot the service runs, read by the Enrich step.
   * @default none
   */
  readonly cpuMetric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
  };
}

/** Who may call the API, and which services' findings and analyses each may see and start. */
export interface ApiAccessRule {
  /** An IAM ARN, or a prefix ending in `*`. */
  readonly principal: string;
  /** The services this caller may see and analyse (at least one). */
  readonly services: readonly string[];
}

/**
 * The analyzer's configuration: the cdk.json keys of the standalone app (docs/deploy.md), with the
 * same names, defaults and limits, and what only a construct can be given (an existing topic,
 * the API on or off, the removal policy of stored data).
 *
 * At least one of `watchedServices`, `alarmNames` and `alarmNamePrefixes` must be given, or no
 * alarm could start an analysis.
 */
export interface CascadeAnalyzerProps {
  /**
   * Services to watch: each gets X-Ray groups and two CloudWatch alarms, which start analyses.
   * At most 50, each name once.
   * @default none
   */
  readonly watchedServices?: readonly WatchedService[];
  /**
   * Existing CloudWatch alarms, by exact name, whose change to ALARM starts an analysis.
   * @default none
   */
  readonly alarmNames?: readonly string[];
  /**
   * Existing CloudWatch alarms, by name prefix, whose change to ALARM starts an analysis.
   * @default none
   */
  readonly alarmNamePrefixes?: readonly string[];
  /**
   * Addresses subscribed by e-mail to the topic findings go to (each must confirm).
   * @default none
   */
  readonly notificationEmails?: readonly string[];
  /**
   * An existing SNS topic to publish findings, incident messages and the analyzer's own alarms
   * to, instead of a new one. Its policy must let this account's CloudWatch alarms publish, and
   * its key (if any) let them use it, for the analyzer's own alarms to arrive.
   * @default a new KMS-encrypted topic
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * The customer managed KMS key `notificationTopic` is encrypted with: the functions that
   * publish get `kms:GenerateDataKey` and `kms:Decrypt` on it.
   * @default notificationTopic.masterKey (set for a topic made in the same app), else none
   */
  readonly notificationTopicKey?: kms.IKey;
  /**
   * The REST API (IAM authorization): start analyses, read findings, reports and incidents.
   * @default true
   */
  readonly api?: boolean;
  /**
   * What CloudFormation does with the findings table and the snapshot buckets when they leave
   * the stack. With `DESTROY` the table is deleted, and a bucket that still holds objects fails
   * the deletion (empty it first).
   * @default RemovalPolicy.RETAIN
   */
  readonly dataRemovalPolicy?: RemovalPolicy;
  /**
   * Acknowledge the cdk-nag findings the design accepts (AwsSolutions and Serverless packs),
   * each on its one resource with its reason. Set to false to make those decisions yourself.
   * @default true
   */
  readonly acknowledgeNagFindings?: boolean;
  /**
   * Length of the incident window that ends when the alarm fires, in minutes (1–360).
   * @default 15
   */
  readonly lookbackMinutes?: number;
  /**
   * Length of the quiet window before the incident window, in minutes (1–360).
   * @default 60
   */
  readonly baselineMinutes?: number;
  /**
   * How long findings and incidents stay in the table, in days (1–3650).
   * @default 90
   */
  readonly findingsRetentionDays?: number;
  /**
   * How long graph snapshots and full findings stay in the bucket, in days (1–3650).
   * @default 30
   */
  readonly snapshotRetentionDays?: number;
  /**
   * Log level of the functions.
   * @default 'INFO'
   */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  /**
   * Steady-state requests per second allowed on the API.
   * @default 10
   */
  readonly apiRateLimit?: number;
  /**
   * Burst of requests allowed on the API.
   * @default 20
   */
  readonly apiBurstLimit?: number;
  /**
   * Also publish an AWS Chatbot custom notification (Slack or Teams channels subscribed through Chatbot).
   * @default false
   */
  readonly chatbotNotifications?: boolean;
  /**
   * An alarm joins an open incident when it fires within this many minutes of its last activity.
   * @default 15
   */
  readonly incidentWindowMinutes?: number;
  /**
   * …and its service is in the incident's cascade or within this many hops of an alarmed service.
   * @default 1
   */
  readonly incidentHops?: number;
  /**
   * At most one "incident grew" message per this many minutes.
   * @default 30
   */
  readonly incidentUpdateMinutes?: number;
  /**
   * An open incident idle this many hours (its alarms never cleared) is closed without a message.
   * @default 24
   */
  readonly incidentMaxIdleHours?: number;
  /**
   * API scoping: callers and the services each may see and analyse. Empty: every caller IAM lets
   * in sees every service.
   * @default none
   */
  readonly apiAccess?: readonly ApiAccessRule[];
  /**
   * Reserved concurrency of the API function, so that on-demand analyses cannot starve alarm-driven ones.
   * @default 5
   */
  readonly apiReservedConcurrency?: number;
  /**
   * Read X-Ray trace summaries of the alarmed service (its faulty and slow traces) as evidence.
   * @default true
   */
  readonly traceEvidence?: boolean;
  /**
   * Minutes before the incident window's start to read CloudTrail change events from; 0 turns it off.
   * @default 60
   */
  readonly changeLookbackMinutes?: number;
  /**
   * Resource names or ARNs in change events → the X-Ray service names they change (beyond exact names).
   * @default none
   */
  readonly changeServiceMapping?: Readonly<Record<string, readonly string[]>>;
  /**
   * How far back "seen before" looks for a past incident like a new one, in days.
   * @default 90
   */
  readonly seenBeforeDays?: number;
  /**
   * Pages to PagerDuty (Events API v2) and a signed webhook, as channels of the incident outbox:
   * secrets by name or ARN, never keys (docs/paging.md).
   * @default no paging
   */
  readonly paging?: PagingProps;
}

/**
 * Where incident messages are paged (docs/paging.md): secrets by name or ARN, never keys. The same
 * shape as cdk.json's `paging`, validated by its schema.
 */
export interface PagingProps {
  /** PagerDuty Events API v2: the secret holding the routing key, one per watched service, the endpoint. */
  readonly pagerDuty?: {
    readonly routingKeySecret?: string;
    readonly services?: Readonly<Record<string, string>>;
    readonly url?: string;
  };
  /** The signed webhook: an https URL and the secret holding the signing key. */
  readonly webhook?: { readonly url: string; readonly secret: string };
  /** Where a person opens an incident, `{incidentId}` replaced. */
  readonly incidentUrl?: string;
}

/** Props that are not cdk.json keys: what only code can give. */
const CONSTRUCT_ONLY = [
  'notificationTopic',
  'notificationTopicKey',
  'api',
  'dataRemovalPolicy',
  'acknowledgeNagFindings',
] as const satisfies readonly (keyof CascadeAnalyzerProps)[];

// Every cdk.json key is a prop: this fails to compile when config.ts gains a key the props lack.
type MissingProps = Exclude<keyof CascadeAnalyzerConfig, keyof CascadeAnalyzerProps>;
const everyKeyIsAProp: [MissingProps] extends [never] ? true : MissingProps = true;
void everyKeyIsAProp;

/** The analyzer's Lambda functions, by role. `api` exists when the API is on. */
export interface AnalyzerFunctions extends WorkflowSteps {
  readonly executionWatch: AnalyzerFunction;
  readonly sweepOutbox: AnalyzerFunction;
  readonly incidentConsole: AnalyzerFunction;
  readonly api?: AnalyzerFunction;
}

export class CascadeAnalyzer extends Construct {
  public readonly findings: FindingsTable;
  public readonly snapshots: SnapshotStore;
  public readonly notifications: Notifications;
  public readonly serviceAlarms: ServiceAlarms;
  public readonly workflow: Workflow;
  public readonly trigger: AlarmTrigger;
  public readonly executionWatch: ExecutionWatch;
  public readonly outboxSweeper: OutboxSweeper;
  public readonly paging: Paging;
  /** The REST API; undefined when `api` is false. */
  public readonly api: AnalysesApi | undefined;
  /** The layer the API function draws reports with; undefined when `api` is false. */
  public readonly graphviz: GraphvizLayer;
  /** The incident dashboard the messages link to (issue 19 §1). */
  public readonly incidentConsole: IncidentConsole;
  public readonly monitoring: Monitoring;
  public readonly functions: AnalyzerFunctions;

  constructor(scope: Construct, id: string, props: CascadeAnalyzerProps = {}) {
    super(scope, id);
    const config = configOf(id, props);
    const removalPolicy = props.dataRemovalPolicy ?? RemovalPolicy.RETAIN;

    this.findings = new FindingsTable(this, 'Findings', { removalPolicy });
    this.snapshots = new SnapshotStore(this, 'Snapshots', {
      retentionDays: config.snapshotRetentionDays,
      removalPolicy,
    });
    this.notifications = new Notifications(this, 'Notifications', {
      emails: config.notificationEmails,
      ...(props.notificationTopic ? { topic: props.notificationTopic } : {}),
      ...(props.notificationTopicKey ? { topicKey: props.notificationTopicKey } : {}),
    });
    this.serviceAlarms = new ServiceAlarms(this, 'ServiceAlarms', { services: config.watchedServices });

    const watched = this.serviceAlarms.watched.map((w) => ({
      name: w.service.name,
      groupName: xrayGroupName(w.service.name, 'all'),
      faultRate: w.service.faultRate,
      p99Seconds: w.service.p99Seconds,
      alarmNames: [w.faultAlarm.alarmName, w.latencyAlarm.alarmName],
      ...(w.service.cpuMetric ? { cpuMetric: w.service.cpuMetric } : {}),
    }));
    const common = {
      WATCHED_SERVICES: JSON.stringify(watched),
      LOOKBACK_MINUTES: String(config.lookbackMinutes),
      BASELINE_MINUTES: String(config.baselineMinutes),
      FINDINGS_RETENTION_DAYS: String(config.findingsRetentionDays),
      SNAPSHOT_BUCKET: this.snapshots.bucket.bucketName,
      FINDINGS_TABLE: this.findings.table.tableName,
      TOPIC_ARN: this.notifications.topic.topicArn,
      INCIDENT_WINDOW_MINUTES: String(config.incidentWindowMinutes),
      INCIDENT_HOPS: String(config.incidentHops),
      INCIDENT_UPDATE_MINUTES: String(config.incidentUpdateMinutes),
      INCIDENT_MAX_IDLE_HOURS: String(config.incidentMaxIdleHours),
      INCIDENT_DASHBOARD: incidentDashboardName(Stack.of(this).stackName),
    };
    const fn = (
      id: string,
      handler: string,
      description: string,
      timeout = Duration.seconds(30),
      memorySize = 512,
      extra: {
        environment?: Record<string, string>;
        layers?: lambda.ILayerVersion[];
        reservedConcurrency?: number;
        deadLetterQueue?: sqs.IQueue;
      } = {},
    ) =>
      new AnalyzerFunction(this, id, {
        handler,
        description,
        timeout,
        memorySize,
        logLevel: config.logLevel,
        environment: { ...common, ...extra.environment },
        ...(extra.layers ? { layers: extra.layers } : {}),
        ...(extra.reservedConcurrency !== undefined
          ? { reservedConcurrency: extra.reservedConcurrency }
          : {}),
        ...(extra.deadLetterQueue !== undefined ? { deadLetterQueue: extra.deadLetterQueue } : {}),
      });
    const chatbot = { environment: { CHATBOT_NOTIFICATIONS: String(config.chatbotNotifications) } };
    const steps = {
      prepare: fn('Prepare', 'prepare', 'Turns an alarm event or API request into an analysis request'),
      collectGraph: fn(
        'CollectGraph',
        'collect-graph',
        'Reads the X-Ray service graph of the incident and baseline windows',
        Duration.minutes(5),
        1024,
      ),
      collectEvidence: fn(
        'CollectEvidence',
        'collect-evidence',
        'Reads X-Ray trace summaries of the alarmed service and CloudTrail changes before the window',
        Duration.minutes(1),
        512,
        {
          environment: {
            CHANGE_LOOKBACK_MINUTES: String(config.changeLookbackMinutes),
            TRACE_EVIDENCE: String(config.traceEvidence),
            CHANGE_SERVICE_MAPPING: JSON.stringify(config.changeServiceMapping),
          },
        },
      ),
      enrich: fn('Enrich', 'enrich', 'Reads CloudWatch metrics of the watched services', Duration.minutes(2)),
      // Memory from the measured peak of a 10,000-service analysis (lib/sizing.ts, npm run bench).
      analyze: fn(
        'Analyze',
        'analyze',
        'Runs the cascade analysis on the graph snapshot',
        Duration.minutes(5),
        ANALYZE_MEMORY_MB,
      ),
      store: fn('Store', 'store', 'Stores the finding, once per analysis id', undefined, undefined, {
        environment: { SEEN_BEFORE_DAYS: String(config.seenBeforeDays) },
      }),
      notify: fn('Notify', 'notify', 'Publishes the finding to SNS', undefined, undefined, chatbot),
      recordFailure: fn(
        'RecordFailure',
        'record-failure',
        'Records and notifies a FAILED finding when a step fails',
        undefined,
        undefined,
        chatbot,
      ),
      correlate: fn('Correlate', 'correlate', 'Attaches an alarm-driven analysis to its incident'),
      resolveAlarm: fn('ResolveAlarm', 'resolve-alarm', 'Records an alarm back to OK; resolves its incident'),
    };
    // The report (API, incident dashboard) draws the cascade with Graphviz (WebAssembly), shipped as a
    // layer to keep the bundles small.
    this.graphviz = new GraphvizLayer(this, 'Graphviz');
    let apiFn: AnalyzerFunction | undefined;
    if (props.api ?? true) {
      apiFn = fn(
        'ApiHandler',
        'api',
        'The REST API: start analyses, read findings and reports',
        Duration.seconds(30),
        1024,
        {
          environment: {
            CASCADE_GRAPHVIZ_MODULE: GRAPHVIZ_MODULE_PATH,
            ...(config.apiAccess.length > 0 ? { API_ACCESS: JSON.stringify(config.apiAccess) } : {}),
          },
          layers: [this.graphviz.layer],
          // On-demand analyses share X-Ray's quota with alarm-driven ones: cap how many run at once.
          reservedConcurrency: config.apiReservedConcurrency,
        },
      );
    }

    // Exact permissions per step: named actions only, resources as narrow as the service allows.
    const bucket = this.snapshots.bucket;
    const table = this.findings.table;
    const allow = (f: AnalyzerFunction, actions: string[], resources: string[]) =>
      f.role.addToPolicy(new iam.PolicyStatement({ actions, resources }));
    const snapshotObjects = bucket.arnForObjects('snapshots/*');
    const findingObjects = bucket.arnForObjects('findings/*');
    const evidenceObjects = bucket.arnForObjects('evidence/*');
    // X-Ray and CloudWatch read APIs have no resource-level permissions: '*' is the only resource.
    allow(steps.collectGraph, ['xray:GetServiceGraph'], ['*']);
    allow(steps.collectGraph, ['s3:PutObject'], [snapshotObjects]);
    // X-Ray's trace reads and CloudTrail's LookupEvents have no resource-level permissions either.
    allow(steps.collectEvidence, ['xray:GetTraceSummaries', 'xray:BatchGetTraces'], ['*']);
    allow(steps.collectEvidence, ['cloudtrail:LookupEvents'], ['*']);
    allow(steps.collectEvidence, ['s3:PutObject'], [evidenceObjects]);
    allow(steps.enrich, ['cloudwatch:GetMetricData'], ['*']);
    allow(steps.analyze, ['s3:GetObject'], [snapshotObjects, evidenceObjects]);
    allow(steps.analyze, ['s3:PutObject'], [findingObjects]);
    // Store and Notify read the finding Analyze wrote; Store rewrites it when the table keeps an
    // earlier one. RecordFailure and the API never touch S3 (test/infra/permissions.test.ts holds
    // every grant to a call the function's bundle makes).
    for (const f of [steps.store, steps.notify]) allow(f, ['s3:GetObject'], [findingObjects]);
    allow(steps.store, ['s3:PutObject'], [findingObjects]);
    // Correlate reads the graph (the services near the alarmed one) and, failing the table, the finding.
    allow(steps.correlate, ['s3:GetObject'], [snapshotObjects, findingObjects]);
    // Incidents live in the findings table, one item each: consistent reads of the incidents a change
    // involves and their index items (BatchGetItem), then one transaction of conditional puts and
    // condition checks (TransactWriteItems is authorized as PutItem and ConditionCheckItem); and the
    // stored finding an incident message reports (GetItem).
    const incidentStoreActions = ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'];
    const incidentWriteActions = ['dynamodb:GetItem', ...incidentStoreActions];
    // The conditional put, and the stored finding read back (Store: the one that won); RecordFailure
    // also attaches its alarm to an incident.
    allow(steps.store, ['dynamodb:PutItem', 'dynamodb:GetItem'], [table.tableArn]);
    // Issue 21, "seen before": past findings by root cause and by alarmed service (indexes, not a
    // scan), then their verdicts and incidents (BatchGetItem).
    allow(steps.store, ['dynamodb:BatchGetItem'], [table.tableArn]);
    allow(
      steps.store,
      ['dynamodb:Query'],
      [FINDINGS_KEYS.serviceIndex, FINDINGS_KEYS.historyIndex].map(
        (index) => `${table.tableArn}/index/${index}`,
      ),
    );
    allow(steps.recordFailure, incidentWriteActions, [table.tableArn]);
    for (const f of [steps.correlate, steps.notify]) allow(f, incidentWriteActions, [table.tableArn]);
    // ResolveAlarm reads no finding.
    allow(steps.resolveAlarm, incidentStoreActions, [table.tableArn]);
    // The outbox flag of findings no alarm started (a conditional UpdateItem, once per finding).
    for (const f of [steps.notify, steps.recordFailure]) allow(f, ['dynamodb:UpdateItem'], [table.tableArn]);
    // Publishing to the topic, and using its key when it has a customer managed one.
    const topicKey = this.notifications.key;
    const allowPublish = (f: AnalyzerFunction) => {
      allow(f, ['sns:Publish'], [this.notifications.topic.topicArn]);
      if (topicKey) allow(f, ['kms:GenerateDataKey', 'kms:Decrypt'], [topicKey.keyArn]);
    };
    for (const f of [steps.notify, steps.recordFailure]) allowPublish(f);

    this.workflow = new Workflow(this, 'Workflow', { steps });
    if (apiFn) {
      // One finding or incident (GetItem); what a list of incidents shows, read from the incidents (BatchGetItem).
      allow(apiFn, ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], [table.tableArn]);
      allow(
        apiFn,
        ['dynamodb:Query'],
        [FINDINGS_KEYS.serviceIndex, FINDINGS_KEYS.incidentsIndex, FINDINGS_KEYS.historyIndex].map(
          (index) => `${table.tableArn}/index/${index}`,
        ),
      );
      // Verdicts (issue 21): the API writes the verdict records and nothing else of the table.
      allowVerdictWrites(apiFn.role, table.tableArn);
      allow(apiFn, ['states:StartExecution'], [this.workflow.stateMachine.stateMachineArn]);
      apiFn.function.addEnvironment('STATE_MACHINE_ARN', this.workflow.stateMachine.stateMachineArn);
    }

    this.trigger = new AlarmTrigger(this, 'Trigger', {
      stateMachine: this.workflow.stateMachine,
      alarmNames: [...this.serviceAlarms.alarmNames, ...config.alarmNames],
      alarmNamePrefixes: config.alarmNamePrefixes,
    });
    // Executions that end without their Catch (timed out, aborted, RecordFailure itself failed).
    const watchFn = fn(
      'ExecutionWatch',
      'execution-watch',
      'Records a FAILED finding for an execution that ended without one',
      undefined,
      undefined,
      { ...chatbot, deadLetterQueue: this.trigger.deadLetterQueue },
    );
    allow(watchFn, [...incidentWriteActions, 'dynamodb:UpdateItem'], [table.tableArn]);
    allowPublish(watchFn);
    this.executionWatch = new ExecutionWatch(this, 'ExecutionStatusRule', {
      stateMachine: this.workflow.stateMachine,
      handler: watchFn,
      deadLetterQueue: this.trigger.deadLetterQueue,
    });
    // Every outbox nobody works on: incident messages whose sender died after claiming them (sent
    // once their lease is over, within minutes, not at the incident's next change), API findings
    // whose Notify never sent them, and incidents idle past the limit (closed). Its run stays under
    // the 120 s lease, so it keeps its claims. It reads its work from the sparse sweep index.
    const sweepFn = fn(
      'SweepOutbox',
      'sweep-outbox',
      'Sends unsent incident and API messages; closes idle incidents',
      Duration.minutes(1),
      undefined,
      chatbot,
    );
    allow(sweepFn, [...incidentWriteActions, 'dynamodb:UpdateItem'], [table.tableArn]);
    allow(sweepFn, ['dynamodb:Query'], [`${table.tableArn}/index/${FINDINGS_KEYS.sweepIndex}`]);
    allowPublish(sweepFn);
    this.outboxSweeper = new OutboxSweeper(this, 'OutboxSweeper', { handler: sweepFn });
    // Every function that sends incident messages pages too (PagerDuty, the webhook), when configured.
    this.paging = new Paging(this, 'Paging', config.paging);
    for (const f of [steps.notify, steps.recordFailure, watchFn, sweepFn]) this.paging.enableFor(f);
    this.api = apiFn
      ? new AnalysesApi(this, 'Api', {
          handler: apiFn,
          rateLimit: config.apiRateLimit,
          burstLimit: config.apiBurstLimit,
        })
      : undefined;
    // The incident dashboard the messages link to: its widget draws the report, as the API does.
    const widgetFn = fn(
      'IncidentConsole',
      'incident-console',
      'The incident dashboard widget',
      undefined,
      1024,
      {
        environment: { CASCADE_GRAPHVIZ_MODULE: GRAPHVIZ_MODULE_PATH },
        layers: [this.graphviz.layer],
      },
    );
    this.incidentConsole = new IncidentConsole(this, 'Console', { handler: widgetFn, table });
    this.functions = {
      ...steps,
      executionWatch: watchFn,
      sweepOutbox: sweepFn,
      incidentConsole: widgetFn,
      ...(apiFn ? { api: apiFn } : {}),
    };
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stateMachine: this.workflow.stateMachine,
      functions: Object.values(this.functions),
      deadLetterQueue: this.trigger.deadLetterQueue,
      ...(this.api ? { api: this.api.api } : {}),
      alarmTopic: this.notifications.topic,
    });
    // Live accuracy (issue 21): verdicts per week and precision over time.
    this.monitoring.dashboard.addWidgets(...accuracyWidgets());

    if (props.acknowledgeNagFindings ?? true) acknowledgeNagFindings(this);
  }
}

/** The props as the configuration the functions read, validated: errors name the construct and the prop. */
function configOf(id: string, props: CascadeAnalyzerProps): CascadeAnalyzerConfig {
  if (props === null || typeof props !== 'object') {
    throw new ConfigError(`CascadeAnalyzer ${id}: props must be an object`);
  }
  const raw: Record<string, unknown> = { ...CONFIG_DEFAULTS };
  for (const [key, value] of Object.entries(props)) {
    if ((CONSTRUCT_ONLY as readonly string[]).includes(key) || value === undefined) continue;
    raw[key] = value;
  }
  if (props.api !== undefined && typeof props.api !== 'boolean') {
    throw new ConfigError(
      `CascadeAnalyzer ${id}: prop "api": expected true or false, got ${String(props.api)}`,
    );
  }
  if (props.notificationTopicKey && !props.notificationTopic) {
    throw new ConfigError(
      `CascadeAnalyzer ${id}: prop "notificationTopicKey" is the key of an existing topic: give "notificationTopic" too`,
    );
  }
  return parseConfig(raw, `CascadeAnalyzer ${id}: prop`);
}
