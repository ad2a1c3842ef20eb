// The standalone app's stack (bin/app.ts, `cdk deploy` from a clone): the configuration from
// cdk.json context, the CascadeAnalyzer construct (lib/cascade-analyzer.ts, where the analyzer is
// wired) and the stack's outputs. A team's own CDK app uses the construct directly.

import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { CascadeAnalyzer } from './cascade-analyzer.ts';
import { type CascadeAnalyzerConfig, loadConfig } from './config.ts';

export interface CascadeAnalyzerStackProps extends StackProps {
  /** @default read from the app's context: cdk.json and `-c key=value` (lib/config.ts) */
  readonly config?: CascadeAnalyzerConfig;
  /** @default RemovalPolicy.RETAIN for the table and the bucket */
  readonly dataRemovalPolicy?: RemovalPolicy;
}

export class CascadeAnalyzerStack extends Stack {
  public readonly analyzer: CascadeAnalyzer;

  constructor(scope: Construct, id: string, props: CascadeAnalyzerStackProps = {}) {
    super(scope, id, props);
    const config = props.config ?? loadConfig((key) => this.node.tryGetContext(key));
    // The id "Default" is left out of logical ids: the resources keep the ids they had when the
    // stack made them itself, so that a deployed stack updates in place instead of replacing its
    // table and bucket.
    this.analyzer = new CascadeAnalyzer(this, 'Default', {
      ...config,
      dataRemovalPolicy: props.dataRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    const { api, workflow, findings, notifications, snapshots, monitoring } = this.analyzer;
    if (api) {
      new CfnOutput(this, 'ApiUrl', {
        value: api.api.url,
        description: 'REST API (IAM auth): POST /analyses, GET /analyses…',
      });
    }
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'FindingsTableName', { value: findings.table.tableName });
    new CfnOutput(this, 'TopicArn', { value: notifications.topic.topicArn });
    new CfnOutput(this, 'SnapshotBucketName', { value: snapshots.bucket.bucketName });
    new CfnOutput(this, 'DashboardName', { value: monitoring.dashboard.dashboardName });
    new CfnOutput(this, 'IncidentDashboardName', {
      value: this.analyzer.incidentConsole.dashboardName,
      description: 'CloudWatch dashboard of the incidents; the messages link to it',
    });
    new CfnOutput(this, 'IncidentWidgetFunctionArn', {
      value: this.analyzer.functions.incidentConsole.function.functionArn,
      description: 'Console users need lambda:InvokeFunction on it to see the incident dashboard',
    });
  }
}
