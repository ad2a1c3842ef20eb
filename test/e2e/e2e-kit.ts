// Helpers of the end-to-end tests: an SQS queue subscribed to the local SNS topic, to read every
// published message back as a subscriber would, and the scenarios the tests replay.

import { type AttributeValue, type DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { createSnsClient } from '../../lambdas/adapters/notifier.ts';
import { expireIdle } from '../../lambdas/core/incidents/lifecycle.ts';
import { DEFAULT_INCIDENT_CONFIG, type Incident } from '../../lambdas/core/incidents/model.ts';
import { ENV, WatchedServicesSchema } from '../../lambdas/handlers/contracts.ts';
import type { SynthesizedApp } from '../../lambdas/local/app-model.ts';
import type { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { exampleScenarios, type Scenario } from '../../lambdas/local/scenarios.ts';
import { clientOptions } from '../support/local-servers.ts';

/** One SNS notification as an SQS subscriber receives it (the SNS envelope, not raw delivery). */
export interface ReceivedNotification {
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface TopicQueue {
  /**
   * Everything received until at least `min` messages are in (or `timeoutMs` passes), then for
   * `settleMs` more, so that a straggler (a second message that should not exist) is seen too.
   * `timeoutMs` (default 2 minutes) only ends a wait whose messages never come: on a machine loaded
   * to twice its cores, moto delivered later than the 10 s this allowed before.
   */
  receive(options: { min: number; timeoutMs?: number; settleMs?: number }): Promise<ReceivedNotification[]>;
  destroy(): void;
}

export async function subscribeQueue(
  snsEndpoint: string,
  topicArn: string,
  name: string,
): Promise<TopicQueue> {
  const sns = createSnsClient(clientOptions(snsEndpoint));
  const sqs = new SQSClient(clientOptions(snsEndpoint));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: attrs.Attributes?.QueueArn }),
  );
  const pollOnce = async (): Promise<ReceivedNotification[]> => {
    const out = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    const messages = out.Messages ?? [];
    if (messages.length > 0) {
      await sqs.send(
        new DeleteMessageBatchCommand({
          QueueUrl,
          Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
        }),
      );
    }
    return messages.map((m) => {
      const envelope = JSON.parse(m.Body ?? '{}') as {
        Subject?: string;
        Message?: string;
        MessageAttributes?: Record<string, { Value: string }>;
      };
      return {
        subject: envelope.Subject ?? '',
        message: envelope.Message ?? '',
        attributes: Object.fromEntries(
          Object.entries(envelope.MessageAttributes ?? {}).map(([k, v]) => [k, v.Value]),
        ),
      };
    });
  };
  return {
    async receive({ min, timeoutMs = 120_000, settleMs = 500 }) {
      const got: ReceivedNotification[] = [];
      const deadline = Date.now() + timeoutMs;
      while (got.length < min && Date.now() < deadline) got.push(...(await pollOnce()));
      const settle = Date.now() + settleMs;
      while (Date.now() < settle) got.push(...(await pollOnce()));
      return got;
    },
    destroy() {
      sns.destroy();
      sqs.destroy();
    },
  };
}

export async function shopScenario(): Promise<Scenario> {
  const shop = await exampleScenarios.scenario('shop');
  if (shop === undefined) throw new Error('the shop scenario is missing');
  return shop;
}

/** The X-Ray group the stack created for a watched service (its WATCHED_SERVICES entry). */
export function groupOf(app: SynthesizedApp, service: string): string {
  const env = app.tasks.find((t) => t.step === 'collectGraph')?.environment ?? {};
  const watched = WatchedServicesSchema.parse(JSON.parse(env[ENV.watchedServices] ?? '[]'));
  const group = watched.find((w) => w.name === service)?.groupName;
  if (group === undefined) throw new Error(`${service} is not watched`);
  return group;
}

export const ROOT_CAUSE = 'api.payments.example.com';
/** Step Functions' payload limit. */
export const LIMIT_BYTES = 256 * 1024;

/** Every incident the pipeline's table holds (a Scan: a test's table is small), MERGED ones too. */
export async function allIncidents(pipeline: LocalPipeline): Promise<Incident[]> {
  const { client, tableName } = (
    pipeline.repository as unknown as { writer: { client: DynamoDBClient; tableName: string } }
  ).writer;
  const found: Incident[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const out = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'begins_with(pk, :p) AND attribute_exists(incident)',
        ExpressionAttributeValues: { ':p': { S: 'INCIDENT#' } },
        ...(startKey !== undefined ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    for (const item of out.Items ?? []) found.push(JSON.parse(item.incident?.S ?? '{}') as Incident);
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return found;
}

/** Closes every open incident as EXPIRED, so that a test's alarms start incidents of their own. */
export async function expireOpenIncidents(pipeline: LocalPipeline): Promise<void> {
  const farFuture = new Date(Date.now() + 365 * 86_400_000);
  for (const i of await allIncidents(pipeline)) {
    if (i.status !== 'OPEN') continue;
    await pipeline.incidents.mutate({ kind: 'incident', incidentId: i.incidentId }, (doc) => {
      const r = expireIdle(doc, farFuture, DEFAULT_INCIDENT_CONFIG);
      return { doc: r.doc, result: null, touched: r.expired };
    });
  }
}
