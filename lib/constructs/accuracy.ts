// Live accuracy in AWS (issue 21): the API's narrow right to write verdict records, and the
// dashboard widgets of the verdicts the API counts (one CloudWatch metric per verdict, EMF from
// Powertools) with the precision at 1 and 3 over time.

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';

/**
 * The metric names the API emits per verdict (lambdas/handlers/api-feedback.ts `VERDICT_METRICS`;
 * a test holds them together, since lib/ does not import Lambda code), in the namespace and with
 * the `service` dimension every function's Powertools metrics carry.
 */
export const VERDICT_METRICS = {
  namespace: 'CascadeAnalyzer',
  service: 'cascade-analyzer',
  right: 'VerdictRight',
  wrong: 'VerdictWrong',
  partly: 'VerdictPartly',
  inTop3: 'VerdictInTop3',
} as const;

/** The key prefix of verdict records (`FEEDBACK#<analysisId>`, findings-table-schema.ts). */
export const VERDICT_KEY_PREFIX = 'FEEDBACK#';

/** PutItem on the verdict records only: `dynamodb:LeadingKeys` keeps the findings and incidents out of reach. */
export function allowVerdictWrites(role: iam.IRole, tableArn: string): void {
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      actions: ['dynamodb:PutItem'],
      resources: [tableArn],
      conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${VERDICT_KEY_PREFIX}*`] } },
    }),
  );
}

/** Verdicts per week and the precision they add up to, as the dashboard's last row. */
export function accuracyWidgets(): cloudwatch.IWidget[] {
  const period = Duration.days(7);
  const metric = (metricName: string, label: string) =>
    new cloudwatch.Metric({
      namespace: VERDICT_METRICS.namespace,
      metricName,
      dimensionsMap: { service: VERDICT_METRICS.service },
      statistic: 'Sum',
      period,
      label,
    });
  const right = metric(VERDICT_METRICS.right, 'right');
  const wrong = metric(VERDICT_METRICS.wrong, 'wrong');
  const partly = metric(VERDICT_METRICS.partly, 'partly');
  const inTop3 = metric(VERDICT_METRICS.inTop3, 'in top 3');
  const all = { right, wrong, partly, inTop3 };
  return [
    new cloudwatch.GraphWidget({
      title: 'On-call verdicts per week',
      left: [right, partly, wrong],
      stacked: true,
      width: 12,
    }),
    new cloudwatch.GraphWidget({
      title: 'Precision from verdicts (%, per week; every verdict given counts)',
      left: [
        new cloudwatch.MathExpression({
          expression: '100 * FILL(right, 0) / (FILL(right, 0) + FILL(wrong, 0) + FILL(partly, 0))',
          usingMetrics: all,
          label: 'precision at 1',
          period,
        }),
        new cloudwatch.MathExpression({
          expression: '100 * FILL(inTop3, 0) / (FILL(right, 0) + FILL(wrong, 0) + FILL(partly, 0))',
          usingMetrics: all,
          label: 'precision at 3',
          period,
        }),
      ],
      leftYAxis: { min: 0, max: 100 },
      width: 12,
    }),
  ];
}
