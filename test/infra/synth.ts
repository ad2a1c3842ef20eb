// Builds the stack the way bin/app.ts does, once per test file, for template assertions. The
// CascadeAnalyzer construct acknowledges its accepted cdk-nag findings itself.

import { App, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CascadeAnalyzerStack } from '../../lib/cascade-analyzer-stack.ts';
import { loadConfig } from '../../lib/config.ts';

export const TEST_CONTEXT = {
  watchedServices: [
    { name: 'checkout', faultRate: 0.05, p99Seconds: 1 },
    {
      name: 'payments',
      faultRate: 0.02,
      p99Seconds: 2,
      cpuMetric: {
        namespace: 'AWS/ECS',
        metricName: 'CPUUtilization',
        dimensions: { ServiceName: 'payments' },
      },
    },
  ],
  alarmNames: ['legacy-orders-5xx'],
  alarmNamePrefixes: ['team-a-'],
  notificationEmails: ['oncall@example.com'],
  paging: {
    pagerDuty: {
      routingKeySecret: 'cascade/pagerduty',
      services: {
        payments: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments-pagerduty-AbC123',
      },
    },
    webhook: { url: 'https://hooks.example.com/cascade', secret: 'cascade/webhook' },
    incidentUrl: 'https://ops.example.com/cascade/incidents/{incidentId}',
  },
};

export function synthStack(context: Record<string, unknown> = TEST_CONTEXT, outdir?: string) {
  const app = new App({ ...(outdir ? { outdir } : {}), context: {} });
  const config = loadConfig((key) => context[key]);
  const stack = new CascadeAnalyzerStack(app, 'CascadeAnalyzerTest', { config });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack, template: Template.fromStack(stack) };
}
