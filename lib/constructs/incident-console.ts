// The incident dashboard (issue 19 §1): a CloudWatch dashboard whose custom widget — a Lambda
// function that answers HTML — shows the open incidents and the report of the incident chosen by
// the dashboard variable `incident`. Every message links to it with that variable set in the URL,
// so one click opens the incident for anyone signed in to the console, who may invoke the widget's
// function. Nothing is public: CloudWatch calls the function with the console user's credentials.

import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import type { AnalyzerFunction } from './analyzer-function.ts';
import { FINDINGS_KEYS } from './findings-table.ts';

/**
 * The dashboard variable and the widget parameter it replaces. lib/ imports nothing from lambdas/:
 * lambdas/report/console-link.ts declares the same two names, and test/infra/config.test.ts checks
 * that they match.
 */
export const INCIDENT_CONSOLE_KEYS = { variable: 'incident', noIncident: 'open-incidents' } as const;

/** `<stack>-incidents`: CloudWatch dashboard names take letters, digits, `-` and `_` (at most 255). */
export function incidentDashboardName(stackName: string): string {
  const name = `${stackName.replace(/[^A-Za-z0-9_-]/g, '-')}-incidents`;
  if (name.length > 255) throw new Error(`incident dashboard name is longer than 255 characters: ${name}`);
  return name;
}

export interface IncidentConsoleProps {
  /** The widget's function (`lambdas/handlers/incident-console.ts`), built by the stack's function wrapper. */
  readonly handler: AnalyzerFunction;
  /** The findings table: the widget reads incidents and findings from it, and nothing else. */
  readonly table: dynamodb.ITableV2;
  /** @default incidentDashboardName(the stack's name) */
  readonly dashboardName?: string;
}

export class IncidentConsole extends Construct {
  public readonly dashboard: cloudwatch.Dashboard;
  public readonly dashboardName: string;

  constructor(scope: Construct, id: string, props: IncidentConsoleProps) {
    super(scope, id);
    this.dashboardName = props.dashboardName ?? incidentDashboardName(Stack.of(this).stackName);
    const { variable, noIncident } = INCIDENT_CONSOLE_KEYS;

    // Read only: one incident or finding by key, and the open incidents from the sparse sweep index.
    const role = props.handler.role;
    role.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.table.tableArn] }),
    );
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${FINDINGS_KEYS.sweepIndex}`],
      }),
    );

    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: this.dashboardName,
      // A pattern variable replaces its pattern wherever it appears in the dashboard's JSON: here,
      // the widget's `incident` parameter. The link of a message sets it in the URL.
      variables: [
        new cloudwatch.DashboardVariable({
          id: variable,
          type: cloudwatch.VariableType.PATTERN,
          label: 'Incident',
          inputType: cloudwatch.VariableInputType.INPUT,
          value: noIncident,
          defaultValue: cloudwatch.DefaultValue.value(noIncident),
          visible: true,
        }),
      ],
    });
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({
        width: 24,
        height: 2,
        markdown: [
          '## cascade-analyzer incidents',
          `The link in each incident message opens its report here (it sets **Incident** above). Paste an incident id there, or choose one in the list; \`${noIncident}\` shows the open incidents.`,
        ].join('\n'),
      }),
      new cloudwatch.CustomWidget({
        functionArn: props.handler.function.functionArn,
        title: 'Incident',
        width: 24,
        height: 30,
        params: { [variable]: noIncident },
        // The report does not depend on the dashboard's time range or the widget's size.
        updateOnTimeRangeChange: false,
        updateOnResize: false,
        updateOnRefresh: true,
      }),
    );
  }
}
