// Shorthand for writing topologies: a service in one line, its calls in a list.

import type { CallSpec, ServiceSpec } from '../topology.ts';

/** X-Ray Types as the SDKs and the service map name them. */
export const TYPE = {
  ecs: 'AWS::ECS::Container',
  eks: 'AWS::EKS::Container',
  ec2: 'AWS::EC2::Instance',
  lambda: 'AWS::Lambda::Function',
  dynamodb: 'AWS::DynamoDB::Table',
  sqs: 'AWS::SQS::Queue',
  sns: 'AWS::SNS',
  s3: 'AWS::S3::Bucket',
  secrets: 'AWS::SecretsManager',
  kms: 'AWS::KMS::Key',
  sql: 'Database::SQL',
  remote: 'remote',
} as const;

/** A service whose own time has this median and p99, in milliseconds. */
export function service(
  name: string,
  type: string,
  [medianMs, p99Ms]: readonly [number, number],
  calls: readonly CallSpec[] = [],
  extra: Omit<Partial<ServiceSpec>, 'name' | 'type' | 'latency' | 'calls'> = {},
): ServiceSpec {
  return {
    name,
    type,
    latency: { median: medianMs / 1000, p99: p99Ms / 1000 },
    ...(calls.length > 0 ? { calls } : {}),
    ...extra,
  };
}

export function call(
  to: string,
  perRequest: number,
  extra: Omit<Partial<CallSpec>, 'to' | 'perRequest'> = {},
): CallSpec {
  return { to, perRequest, ...extra };
}
