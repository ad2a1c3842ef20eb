// CollectGraph's composition root: X-Ray (retries left to the graph source) and the S3 snapshot store.

import { createXRayClient, XRayGraphSource } from '../../adapters/xray-source.ts';
import { checkRequiredEnv, type Env } from '../env.ts';
import { tracer } from '../observability.ts';
import { snapshotStoreFrom } from './snapshot-store.ts';

export function collectGraphDeps(env: Env = process.env) {
  checkRequiredEnv('collect-graph', env);
  return {
    graphSource: new XRayGraphSource({ client: tracer.captureAWSv3Client(createXRayClient()) }),
    snapshotStore: snapshotStoreFrom(env),
  };
}
