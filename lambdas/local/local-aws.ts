// Names and client options of the local stand-ins for AWS. Every client the local runtime builds
// gets an explicit local endpoint and these dummy credentials: nothing here ever reaches AWS.

import type { ClientOptions } from '../adapters/clients.ts';

export const LOCAL_REGION = 'us-east-1';
/** Local servers accept any credentials; these never leave the machine. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;
/** The findings table's name in the embedded DynamoDB (fixed, so the data folder outlives stack refactors). */
export const LOCAL_TABLE_NAME = 'cascade-analyzer-findings';
/** The SNS topic created on a local SNS endpoint. */
export const LOCAL_TOPIC_NAME = 'cascade-analyzer-findings';

/**
 * Local servers share this machine (often this process) with the pipeline: on a busy machine a
 * 35 MB graph answer can take longer than Lambda's 30 s request timeout, which is a hang guard
 * here, not a budget.
 */
const LOCAL_TIMEOUTS = { connectionTimeoutMs: 60_000, requestTimeoutMs: 600_000 } as const;

export function localClientOptions(endpoint: string): ClientOptions {
  return { region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS, ...LOCAL_TIMEOUTS };
}

/**
 * The AWS SDK warns on every process start that its 2027 releases will need Node 22; this project
 * supports Node 20 with the SDK versions it pins, so in the local commands the warning is noise.
 * An explicit setting of the variable wins.
 */
export function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
