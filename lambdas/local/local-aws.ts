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

export function localClientOptions(endpoint: string): ClientOptions {
  return { region: LOCAL_REGION, endpoint, credentials: LOCAL_CREDENTIALS };
}

/**
 * The AWS SDK warns on every process start that its 2027 releases will need Node 22; this project
 * supports Node 20 with the SDK versions it pins, so in the local commands the warning is noise.
 * An explicit setting of the variable wins.
 */
export function quietSdkNodeWarning(): void {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
