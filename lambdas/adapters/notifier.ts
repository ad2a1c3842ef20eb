// SNS delivery of a rendered message (lambdas/report/sns-message.ts): one Publish with
// MessageStructure "json", the subject and the String attributes. It renders nothing.

import type * as SNS from '@aws-sdk/client-sns';
import type { SnsMessage } from '../report/sns-message.ts';
import { awsSdk } from './aws-sdk.ts';
import { type ClientOptions, clientConfig } from './clients.ts';
import type { MessagePublisher } from './ports.ts';

const { PublishCommand, SNSClient } = awsSdk<typeof SNS>('@aws-sdk/client-sns');
type SNSClient = SNS.SNSClient;

export interface SnsPublisherOptions {
  /** Create it once per cold start (`createSnsClient`). */
  readonly client: SNSClient;
  readonly topicArn: string;
}

export class SnsPublisher implements MessagePublisher {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: SnsPublisherOptions) {
    if (options.topicArn.trim() === '') throw new Error('topicArn must not be empty');
    this.client = options.client;
    this.topicArn = options.topicArn;
  }

  async send(message: SnsMessage): Promise<{ messageId: string }> {
    const out = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: message.subject,
        Message: message.structured,
        MessageStructure: 'json',
        MessageAttributes: Object.fromEntries(
          Object.entries(message.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }),
    );
    if (out.MessageId === undefined) throw new Error('SNS Publish returned no MessageId');
    return { messageId: out.MessageId };
  }
}

export function createSnsClient(options: ClientOptions = {}): SNSClient {
  return new SNSClient(clientConfig(options));
}
