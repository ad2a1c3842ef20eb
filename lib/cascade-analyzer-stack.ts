// The whole product in one stack: alarms per watched service, the EventBridge rule, the
// workflow and its Lambdas, the findings table, the snapshot bucket, the SNS topic, the API and
// the analyzer's own dashboard and alarms. Environment-agnostic: no account, region or resource
// names are hard-coded.

import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { CascadeAnalyzerConfig } from './config.ts';
import { accuracyWidgets, allowVerdictWrites } from './constructs/accuracy.ts';
import { AlarmTrigger } from './constructs/alarm-trigger.ts';
import { AnalyzerFunction } from './constructs/analyzer-function.ts';
import { AnalysesApi } from './constructs/api.ts';
import { ExecutionWatch } from './constructs/execution-watch.ts';
import { FINDINGS_KEYS, FindingsTable } from './constructs/findings-table.ts';
import { GRAPHVIZ_MODULE_PATH, GraphvizLayer } from './constructs/graphviz-layer.ts';
import { Monitoring } from './constructs/monitoring.ts';
import { Notifications } from './constructs/notifications.ts';
import { OutboxSweeper } from './constructs/outbox-sweeper.ts';
import { ServiceAlarms } from './constructs/service-alarms.ts';
import { SnapshotStore } from './constructs/snapshot-store.ts';
import { Workflow } from './constructs/workflow.ts';
import { xrayGroupName } from './naming.ts';
import { ANALYZE_MEMORY_MB } from './sizing.ts';

export interface CascadeAnalyzerStackProps extends StackProps {
  readonly config: CascadeAnalyzerConfig;
  /** @default RemovalPolicy.RETAIN for the table and the bucket */
  readonly dataRemovalPolicy?: RemovalPolicy;
}

export class CascadeAnalyzerStack extends Stack {
  public readonly findings: FindingsTable;
  public readonly snapshots: SnapshotStore;
  public readonly notifications: Notifications;
  public readonly serviceAlarms: ServiceAlarms;
  public readonly workflow: Workflow;
  public readonly trigger: AlarmTrigger;
  public readonly executionWatch: ExecutionWatch;
  public readonly outboxSweeper: OutboxSweeper;
  public readonly api: AnalysesApi;
  public readonly monitoring: Monitoring;
  public readonly functions: Readonly<Record<string, AnalyzerFunction>>;
  public readonly graphviz: GraphvizLayer;

  constructor(scope: Construct, id: string, props: CascadeAnalyzerStackProps) {
    super(scope, id, props);
    const { config } = props;
    const removalPolicy = props.dataRemovalPolicy ?? RemovalPolicy.RETAIN;

    this.findings = new FindingsTable(this, 'Findings', { removalPolicy });
    this.snapshots = new SnapshotStore(this, 'Snapshots', {
      retentionDays: config.snapshotRetentionDays,
      removalPolicy,
    });
    this.notifications = new Notifications(this, 'Notifications', { emails: config.notificationEmails });
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
    // The report draws the cascade with Graphviz (WebAssembly), shipped as a layer to keep the bundle small.
    this.graphviz = new GraphvizLayer(this, 'Graphviz');
    const apiFn = fn(
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

    // Exact permissions per step: named actions only, resources as narrow as the service allows.
    const bucket = this.snapshots.bucket;
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
    allow(steps.store, ['dynamodb:PutItem', 'dynamodb:GetItem'], [this.findings.table.tableArn]);
    // Issue 21, "seen before": past findings by root cause and by alarmed service (indexes, not a
    // scan), then their verdicts and incidents (BatchGetItem).
    allow(steps.store, ['dynamodb:BatchGetItem'], [this.findings.table.tableArn]);
    allow(
      steps.store,
      ['dynamodb:Query'],
      [FINDINGS_KEYS.serviceIndex, FINDINGS_KEYS.historyIndex].map(
        (index) => `${this.findings.table.tableArn}/index/${index}`,
      ),
    );
    allow(steps.recordFailure, incidentWriteActions, [this.findings.table.tableArn]);
    for (const f of [steps.correlate, steps.notify])
      allow(f, incidentWriteActions, [this.findings.table.tableArn]);
    // ResolveAlarm reads no finding.
    allow(steps.resolveAlarm, incidentStoreActions, [this.findings.table.tableArn]);
    // The outbox flag of findings no alarm started (a conditional UpdateItem, once per finding).
    for (const f of [steps.notify, steps.recordFailure])
      allow(f, ['dynamodb:UpdateItem'], [this.findings.table.tableArn]);
    // Publishing to the topic, which is KMS-encrypted.
    const allowPublish = (f: AnalyzerFunction) => {
      allow(f, ['sns:Publish'], [this.notifications.topic.topicArn]);
      allow(f, ['kms:GenerateDataKey', 'kms:Decrypt'], [this.notifications.key.keyArn]);
    };
    for (const f of [steps.notify, steps.recordFailure]) allowPublish(f);
    // One finding or incident (GetItem); what a list of incidents shows, read from the incidents (BatchGetItem).
    allow(apiFn, ['dynamodb:GetItem', 'dynamodb:BatchGetItem'], [this.findings.table.tableArn]);
    allow(
      apiFn,
      ['dynamodb:Query'],
      [FINDINGS_KEYS.serviceIndex, FINDINGS_KEYS.incidentsIndex, FINDINGS_KEYS.historyIndex].map(
        (index) => `${this.findings.table.tableArn}/index/${index}`,
      ),
    );
    // Verdicts (issue 21): the API writes the verdict records and nothing else of the table.
    allowVerdictWrites(apiFn.role, this.findings.table.tableArn);

    this.workflow = new Workflow(this, 'Workflow', { steps });
    allow(apiFn, ['states:StartExecution'], [this.workflow.stateMachine.stateMachineArn]);
    apiFn.function.addEnvironment('STATE_MACHINE_ARN', this.workflow.stateMachine.stateMachineArn);

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
    allow(watchFn, [...incidentWriteActions, 'dynamodb:UpdateItem'], [this.findings.table.tableArn]);
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
    allow(sweepFn, [...incidentWriteActions, 'dynamodb:UpdateItem'], [this.findings.table.tableArn]);
    allow(sweepFn, ['dynamodb:Query'], [`${this.findings.table.tableArn}/index/${FINDINGS_KEYS.sweepIndex}`]);
    allowPublish(sweepFn);
    this.outboxSweeper = new OutboxSweeper(this, 'OutboxSweeper', { handler: sweepFn });
    this.api = new AnalysesApi(this, 'Api', {
      handler: apiFn,
      rateLimit: config.apiRateLimit,
      burstLimit: config.apiBurstLimit,
    });
    this.functions = { ...steps, executionWatch: watchFn, sweepOutbox: sweepFn, api: apiFn };
    this.monitoring = new Monitoring(this, 'Monitoring', {
      stateMachine: this.workflow.stateMachine,
      functions: Object.values(this.functions),
      deadLetterQueue: this.trigger.deadLetterQueue,
      api: this.api.api,
      alarmTopic: this.notifications.topic,
    });

    this.monitoring.dashboard.addWidgets(...accuracyWidgets());

    new CfnOutput(this, 'ApiUrl', {
      value: this.api.api.url,
      description: 'REST API (IAM auth): POST /analyses, GET /analyses…',
    });
    new CfnOutput(this, 'StateMachineArn', { value: this.workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'FindingsTableName', { value: this.findings.table.tableName });
    new CfnOutput(this, 'TopicArn', { value: this.notifications.topic.topicArn });
    new CfnOutput(this, 'SnapshotBucketName', { value: bucket.bucketName });
    new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName });
  }
}
