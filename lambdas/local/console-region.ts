// The region of the console links the local runtime writes: where `cdk deploy` would put the stack.
// The local AWS endpoints use a fixed region of their own; the links point at the deployed stack.

import { LOCAL_REGION } from './local-aws.ts';

export interface DeployRegion {
  readonly region: string;
  /** Where it came from, for the terminal: `AWS_REGION`, `AWS_DEFAULT_REGION` or `default`. */
  readonly from: 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'default';
}

/** AWS_REGION, else AWS_DEFAULT_REGION (as the AWS CLI and CDK read them), else us-east-1. */
export function deployRegion(env: NodeJS.ProcessEnv = process.env): DeployRegion {
  const region = env.AWS_REGION?.trim();
  if (region) return { region, from: 'AWS_REGION' };
  const fallback = env.AWS_DEFAULT_REGION?.trim();
  if (fallback) return { region: fallback, from: 'AWS_DEFAULT_REGION' };
  return { region: LOCAL_REGION, from: 'default' };
}
