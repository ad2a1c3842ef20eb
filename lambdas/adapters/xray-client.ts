// The X-Ray client, in a module of its own: a bundle that builds one takes only the commands its
// sources send (GetServiceGraph for CollectGraph, the trace reads for CollectEvidence).

import type * as XRay from '@aws-sdk/client-xray';
import { awsSdk } from './aws-sdk.ts';
import { type ClientOptions, clientConfig } from './clients.ts';

const { XRayClient } = awsSdk<typeof XRay>('@aws-sdk/client-xray');

/**
 * X-Ray defaults to one attempt: `XRayGraphSource` and `XRayTraceSource` retry throttling
 * themselves with full jitter, and SDK retries underneath would multiply the attempts.
 */
export function createXRayClient(options: ClientOptions = {}): XRay.XRayClient {
  return new XRayClient(clientConfig(options, 1));
}
