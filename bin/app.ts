// The CDK app: `npx cdk synth` / `npx cdk deploy`. Configuration comes from cdk.json context
// and `-c key=value`; every key is in docs/deploy.md ("Configure"). The stack is a thin shell
// around the CascadeAnalyzer construct, which acknowledges its accepted cdk-nag findings itself.

import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CascadeAnalyzerStack } from '../lib/cascade-analyzer-stack.ts';
import { ConfigError } from '../lib/config.ts';

const app = new App();
let stack: CascadeAnalyzerStack;
try {
  stack = new CascadeAnalyzerStack(app, app.node.tryGetContext('stackName') ?? 'CascadeAnalyzer', {
    description: 'cascade-analyzer: root cause of microservice cascades from the X-Ray service graph',
  });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(1);
  }
  throw err;
}
// cfn-lint's schema does not know tags on dashboards yet.
Tags.of(stack).add('app', 'cascade-analyzer', { excludeResourceTypes: ['AWS::CloudWatch::Dashboard'] });
Validations.of(app).addPlugins(
  new AwsSolutionsChecks(app, { verbose: true }),
  new ServerlessChecks(app, { verbose: true }),
);
