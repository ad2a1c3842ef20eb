// WorkflowStarter over Step Functions StartExecution. Imported by the API's composition root
// (wiring/api.ts) only, so that no unit test loads the SDK client through the API handler.

import type * as SFN from '@aws-sdk/client-sfn';
import { awsSdk } from '../adapters/aws-sdk.ts';
import { type ClientOptions, clientConfig } from '../adapters/clients.ts';
import type { ApiAnalysisInput } from './contracts.ts';
import type { WorkflowStarter } from './workflow-starter.ts';

const { SFNClient, StartExecutionCommand } = awsSdk<typeof SFN>('@aws-sdk/client-sfn');
type SFNClient = SFN.SFNClient;

export interface SfnWorkflowStarterOptions {
  /** Create it once per cold start. */
  readonly client: SFNClient;
  readonly stateMachineArn: string;
}

export class SfnWorkflowStarter implements WorkflowStarter {
  private readonly client: SFNClient;
  private readonly stateMachineArn: string;

  constructor(options: SfnWorkflowStarterOptions) {
    if (options.stateMachineArn.trim() === '') throw new Error('stateMachineArn must not be empty');
    this.client = options.client;
    this.stateMachineArn = options.stateMachineArn;
  }

  async start(name: string, input: ApiAnalysisInput): Promise<{ executionArn: string }> {
    const out = await this.client.send(
      new StartExecutionCommand({
        stateMachineArn: this.stateMachineArn,
        name,
        input: JSON.stringify(input),
      }),
    );
    if (out.executionArn === undefined) throw new Error('StartExecution returned no executionArn');
    return { executionArn: out.executionArn };
  }
}

export function createSfnClient(options: ClientOptions = {}): SFNClient {
  return new SFNClient(clientConfig(options));
}
