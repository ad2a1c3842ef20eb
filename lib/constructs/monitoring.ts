// Watching the watcher: a dashboard of the analyzer itself and alarms on its own failures —
// failed or timed-out executions, undeliverable alarm events, Lambda errors, API 5xx —
// published to the findings topic so that the same people hear about them.

import { Duration } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AnalyzerFunction } from './analyzer-function.ts';

export interface MonitoringProps {
  readonly stateMachine: sfn.StateMachine;
  readonly functions: readonly AnalyzerFunction[];
  readonly deadLetterQueue: sqs.IQueue;
  /** @default none: no API alarm or API graph */
  readonly api?: apigw.RestApi;
  readonly alarmTopic: sns.ITopic;
}

export class Monitoring extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const period = Duration.minutes(5);
    const atLeastOne = (alarmId: string, description: string, metric: cloudwatch.IMetric) =>
      new cloudwatch.Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
    const own = [
      atLeastOne(
        'ExecutionsFailed',
        'cascade-analyzer executions failed (a FAILED finding was recorded)',
        props.stateMachine.metricFailed({ period }),
      ),
      atLeastOne(
        'ExecutionsTimedOut',
        'cascade-analyzer executions timed out',
        props.stateMachine.metricTimedOut({ period }),
      ),
      atLeastOne(
        'UndeliveredAlarmEvents',
        'events are waiting in the dead-letter queue: alarm changes EventBridge could not hand to the workflow, or failed executions ExecutionWatch could not record',
        props.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period }),
      ),
      ...(props.api
        ? [
            atLeastOne(
              'Api5xx',
              'the cascade-analyzer API answers 5xx',
              props.api.metricServerError({ period, statistic: 'Sum' }),
            ),
          ]
        : []),
    ];
    this.alarms = [...own, ...props.functions.map((f) => f.errorsAlarm)];
    const action = new actions.SnsAction(props.alarmTopic);
    for (const alarm of this.alarms) alarm.addAlarmAction(action);

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Analyses',
            left: [
              props.stateMachine.metricStarted({ period }),
              props.stateMachine.metricSucceeded({ period }),
              props.stateMachine.metricFailed({ period }),
              props.stateMachine.metricTimedOut({ period }),
            ],
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Analysis duration (ms)',
            left: [
              props.stateMachine.metricTime({ period, statistic: 'p50' }),
              props.stateMachine.metricTime({ period, statistic: 'p99' }),
            ],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Lambda errors',
            left: props.functions.map((f) => f.function.metricErrors({ period, statistic: 'Sum' })),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Lambda duration p99 (ms)',
            left: props.functions.map((f) => f.function.metricDuration({ period, statistic: 'p99' })),
            width: 12,
          }),
        ],
        [
          ...(props.api
            ? [
                new cloudwatch.GraphWidget({
                  title: 'API',
                  left: [
                    props.api.metricCount({ period }),
                    props.api.metricClientError({ period }),
                    props.api.metricServerError({ period }),
                  ],
                  width: 12,
                }),
              ]
            : []),
          new cloudwatch.AlarmStatusWidget({ title: 'Own alarms', alarms: [...this.alarms], width: 12 }),
        ],
      ],
    });
  }
}
