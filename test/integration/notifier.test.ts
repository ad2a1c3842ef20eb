// The handlers' notifier (rendered by lambdas/report/sns-message.ts, delivered by SnsPublisher) against moto's SNS, read back through SQS subscriptions (one raw, one with the SNS
// envelope that carries the subject), plus the pure formatting limits.

import { CreateTopicCommand, type SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsClient, SnsPublisher } from '../../lambdas/adapters/notifier.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { RenderingNotifier } from '../../lambdas/handlers/rendering-notifier.ts';
import {
  FACTS_SEPARATOR,
  formatMessage,
  formatNotification,
  formatSubject,
  MAX_MESSAGE_BYTES,
} from '../../lambdas/report/sns-message.ts';
import { clientOptions, type LocalServer, startMotoServer } from '../support/local-servers.ts';
import { largeFinding, makeFinding } from './findings-kit.ts';

const REPORT = 's3://reports-bucket/findings/an-1.html';

/** The JSON facts after the last `---` line. */
function factsOf(message: string): Record<string, unknown> {
  const at = message.lastIndexOf(FACTS_SEPARATOR);
  expect(at).toBeGreaterThan(0);
  return JSON.parse(message.slice(at + FACTS_SEPARATOR.length)) as Record<string, unknown>;
}

describe('Class: SnsPublisher (through RenderingNotifier)', () => {
  let moto: LocalServer;
  let sns: SNSClient;
  let sqs: SQSClient;
  let notifier: RenderingNotifier;
  let notifierTopic: string;
  let rawQueue: string;
  let envelopeQueue: string;

  async function subscribe(topicArn: string, name: string, raw: boolean): Promise<string> {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
    await sns.send(
      new SubscribeCommand({
        TopicArn: topicArn,
        Protocol: 'sqs',
        Endpoint: attrs.Attributes?.QueueArn,
        Attributes: { RawMessageDelivery: String(raw) },
      }),
    );
    return QueueUrl as string;
  }

  async function receiveOne(queueUrl: string): Promise<Message> {
    const out = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MessageAttributeNames: ['All'],
        MaxNumberOfMessages: 1,
        WaitTimeSeconds: 2,
      }),
    );
    const message = out.Messages?.[0];
    if (message === undefined) throw new Error(`no message arrived on ${queueUrl}`);
    return message;
  }

  beforeAll(async () => {
    moto = await startMotoServer();
    sns = createSnsClient(clientOptions(moto.endpoint));
    sqs = new SQSClient(clientOptions(moto.endpoint));
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'cascade-findings' }));
    rawQueue = await subscribe(TopicArn as string, 'findings-raw', true);
    envelopeQueue = await subscribe(TopicArn as string, 'findings-envelope', false);
    notifierTopic = TopicArn as string;
    notifier = new RenderingNotifier(new SnsPublisher({ client: sns, topicArn: notifierTopic }));
  }, 60_000);

  afterAll(async () => {
    sns?.destroy();
    sqs?.destroy();
    await moto?.stop();
  });

  it('should publish a readable summary, the JSON facts and the attributes', async () => {
    // Prepare
    const finding = makeFinding({ analysisId: 'an-1' });
    // Act
    const { messageId } = await notifier.publish(finding, REPORT);
    const raw = await receiveOne(rawQueue);
    const envelope = JSON.parse((await receiveOne(envelopeQueue)).Body ?? '{}') as {
      Subject?: string;
      MessageId?: string;
    };
    // Assess
    expect(messageId).toBe(envelope.MessageId);
    const body = raw.Body ?? '';
    expect(body).toContain('Root cause: payment-api');
    expect(body).toContain('Path to users: payment-api -> checkout -> web');
    expect(body).toContain('circuit-breaker');
    expect(body).toContain(`Report: ${REPORT}`);
    const facts = factsOf(body);
    expect(facts).toMatchObject({
      analysisId: 'an-1',
      status: 'COMPLETED',
      service: 'checkout',
      rootCause: 'payment-api',
      systemHealth: 0.62,
      reportPath: REPORT,
    });
    const attrs = Object.fromEntries(
      Object.entries(raw.MessageAttributes ?? {}).map(([k, v]) => [k, v.StringValue]),
    );
    expect(attrs).toEqual({
      analysisId: 'an-1',
      status: 'COMPLETED',
      service: 'checkout',
      rootCause: 'payment-api',
      systemHealth: '0.62',
      // What subscribers de-duplicate on (SNS is at-least-once): a finding no alarm started has its analysis id.
      notificationId: 'an-1',
    });
    expect(envelope.Subject).toBe('[cascade] payment-api: root cause of 3-service cascade (COMPLETED)');
    expect(envelope.Subject?.length).toBeLessThanOrEqual(100);
  });

  it('should give queues the default message when the AWS Chatbot payload is switched on', async () => {
    // Prepare
    const chatty = new RenderingNotifier(new SnsPublisher({ client: sns, topicArn: notifierTopic }), {
      chatbot: true,
    });
    const finding = makeFinding({ analysisId: 'an-chat' });
    // Act
    await chatty.publish(finding, REPORT);
    const raw = await receiveOne(rawQueue);
    const envelope = JSON.parse((await receiveOne(envelopeQueue)).Body ?? '{}') as { Message?: string };
    // Assess: queues get the summary and the facts; the chat JSON goes to HTTPS subscribers only.
    const n = formatNotification(finding, REPORT, { chatbot: true });
    expect(raw.Body).toBe(n.message);
    expect(envelope.Message).toBe(n.message);
    expect(factsOf(raw.Body ?? '')).toMatchObject({ analysisId: 'an-chat', rootCause: 'payment-api' });
    expect(JSON.parse(n.chatbot ?? '{}')).toMatchObject({ version: '1.0', source: 'custom' });
  });

  it('should publish a 10,000-service finding within 256 KB', async () => {
    // Prepare
    const big = largeFinding('an-big');
    // Act
    await notifier.publish(big, REPORT);
    const raw = await receiveOne(rawQueue);
    // Assess
    const body = raw.Body ?? '';
    expect(Buffer.byteLength(body)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(body).toContain('Root cause: svc-00000');
    expect(body).toContain('Affected callers (2): svc-00001, svc-00002');
    expect(factsOf(body)).toMatchObject({ rootCause: 'svc-00000', rootCauseCount: 2, servicesInCascade: 8 });
  });

  it('should keep the message within the limit and its JSON valid when every text is huge', () => {
    // Prepare: a summary of 1 MB of multi-byte characters and 5,000 long recommendations.
    const base = makeFinding({ analysisId: 'an-huge' });
    const huge: Finding = {
      ...base,
      summary: 'é'.repeat(500_000),
      recommendations: Array.from({ length: 5000 }, (_, i) => ({
        service: `svc-${i}`,
        action: 'timeout' as const,
        text: 'ü'.repeat(2000),
      })),
    };
    // Act
    const { message } = formatNotification(huge, REPORT);
    // Assess
    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(factsOf(message)).toMatchObject({ analysisId: 'an-huge', rootCause: 'payment-api' });
    expect(Buffer.byteLength(formatMessage(huge, REPORT, 2000))).toBeLessThanOrEqual(2000);
  });

  describe('formatSubject', () => {
    it('should keep a subject within 100 printable ASCII characters, naming the root cause', () => {
      // Prepare
      const base = makeFinding({ analysisId: 'an-2' });
      const long = `pay\nment-é-${'x'.repeat(300)}`;
      const finding: Finding = {
        ...base,
        rootCauses: base.rootCauses.map((rc) => ({ ...rc, service: long })),
      };
      // Act
      const subject = formatSubject(finding);
      // Assess
      expect(subject.length).toBeLessThanOrEqual(100);
      expect(subject).toMatch(/^[\x20-\x7e]+$/);
      expect(subject.startsWith('[cascade] pay ment--xxx')).toBe(true);
      expect(subject.endsWith('...: root cause of 3-service cascade (COMPLETED)')).toBe(true);
    });

    it.each([
      ['NO_DATA', '[cascade] checkout: no X-Ray data in the window (NO_DATA)'],
      ['FAILED', '[cascade] checkout: analysis failed (FAILED)'],
    ] as const)('should name the alarmed service when the status is %s', (status, expected) => {
      // Prepare
      const finding: Finding = { ...makeFinding({ analysisId: 'an-3' }), status, rootCauses: [] };
      // Act
      const subject = formatSubject(finding);
      // Assess
      expect(subject).toBe(expected);
    });
  });
});
