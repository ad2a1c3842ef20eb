// Where the Notify and RecordFailure steps' messages go on this machine: to SNS on a local
// endpoint (moto) when there is one, otherwise to a file per analysis. Either way the message is
// the one the deployed functions publish (`formatNotification`, delivered by SnsPublisher), and
// listeners (the terminal) are told about it.

import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CreateTopicCommand, type SNSClient } from '@aws-sdk/client-sns';
import { SnsPublisher } from '../adapters/notifier.ts';
import type { Notifier } from '../adapters/ports.ts';
import type { Finding } from '../core/model.ts';
import { RenderingNotifier } from '../handlers/rendering-notifier.ts';
import type { IncidentNote } from '../report/incident-text.ts';
import { formatNotification } from '../report/sns-message.ts';

/** One published notification, as the terminal shows it. */
export interface PublishedNotification {
  readonly analysisId: string;
  readonly subject: string;
  readonly message: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly messageId: string;
  /** `sns`: published to `topicArn`; `file`: written to `file`. */
  readonly via: 'sns' | 'file';
  readonly topicArn?: string;
  readonly file?: string;
  /** When it was handed over (epoch ms). */
  readonly at: number;
}

export type NotificationListener = (n: PublishedNotification) => void;

/** Writes each message to `<dir>/<analysisId>.txt`: the subject line, a blank line, the message. */
export class FileNotifier implements Notifier {
  constructor(
    private readonly dir: string,
    private readonly listener: NotificationListener,
  ) {}

  async publish(finding: Finding, reportPath: string, note?: IncidentNote): Promise<{ messageId: string }> {
    const n = formatNotification(finding, reportPath, note ? { note } : {});
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${safeFileName(note?.notificationId ?? finding.analysisId)}.txt`);
    await writeFile(file, `Subject: ${n.subject}\n\n${n.message}\n`, 'utf8');
    const messageId = `local-${randomUUID()}`;
    this.listener({
      analysisId: finding.analysisId,
      subject: n.subject,
      message: n.message,
      attributes: n.attributes,
      messageId,
      via: 'file',
      file,
      at: Date.now(),
    });
    return { messageId };
  }
}

/** The deployed functions' notifier (rendered, then delivered by SnsPublisher), plus a listener told what it published. */
export class ObservedSnsNotifier implements Notifier {
  private readonly sns: RenderingNotifier;

  constructor(client: SNSClient, topicArn: string, listener: NotificationListener) {
    this.sns = new RenderingNotifier(new SnsPublisher({ client, topicArn }), {
      onSent: (n, finding, messageId) =>
        listener({
          analysisId: finding.analysisId,
          subject: n.subject,
          message: n.message,
          attributes: n.attributes,
          messageId,
          via: 'sns',
          topicArn,
          at: Date.now(),
        }),
    });
  }

  publish(finding: Finding, reportPath: string, note?: IncidentNote): Promise<{ messageId: string }> {
    return this.sns.publish(finding, reportPath, note);
  }
}

/** The local topic (CreateTopic is idempotent: the same name gives the same ARN). */
export async function createLocalTopic(client: SNSClient, name: string): Promise<string> {
  const out = await client.send(new CreateTopicCommand({ Name: name }));
  if (out.TopicArn === undefined) throw new Error('SNS CreateTopic returned no TopicArn');
  return out.TopicArn;
}

/**
 * Whether moto answers at `endpoint` (its dashboard is `/moto-api/`). Quick: a closed port answers
 * at once, and nothing else on this machine should take long to say no.
 */
export async function motoAnswers(endpoint: string, timeoutMs = 300): Promise<boolean> {
  try {
    const res = await fetch(`${endpoint.replace(/\/+$/, '')}/moto-api/`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    await res.body?.cancel();
    return res.ok;
  } catch {
    return false;
  }
}

/** moto_server's default address (`moto_server` with no options). */
export const MOTO_DEFAULT_ENDPOINT = 'http://127.0.0.1:5000';

export interface SnsChoice {
  /** The SNS endpoint to publish to; undefined: notification files. */
  readonly endpoint: string | undefined;
  /** How it was chosen, for the terminal. */
  readonly reason: string;
}

/**
 * Where notifications go: `given` (a command-line option), else `AWS_ENDPOINT_URL_SNS`, else moto
 * when it answers on its default port, else files. Only local endpoints are used: this runtime never
 * talks to AWS.
 */
export async function chooseSnsEndpoint(
  given: string | undefined,
  env: Readonly<Record<string, string | undefined>> = process.env,
  probe: (endpoint: string) => Promise<boolean> = motoAnswers,
): Promise<SnsChoice> {
  const fromEnv = env.AWS_ENDPOINT_URL_SNS?.trim() || undefined;
  const explicit = given ?? fromEnv;
  if (explicit !== undefined) {
    let url: URL;
    try {
      url = new URL(explicit);
    } catch {
      throw new Error(`SNS endpoint "${explicit}" is not a URL`);
    }
    if (url.hostname.endsWith('amazonaws.com')) {
      throw new Error(
        `SNS endpoint ${explicit} is AWS itself; the local runtime only talks to local servers`,
      );
    }
    return { endpoint: explicit, reason: given !== undefined ? '--sns-endpoint' : 'AWS_ENDPOINT_URL_SNS' };
  }
  if (await probe(MOTO_DEFAULT_ENDPOINT)) {
    return { endpoint: MOTO_DEFAULT_ENDPOINT, reason: `moto_server answers on ${MOTO_DEFAULT_ENDPOINT}` };
  }
  return { endpoint: undefined, reason: 'no SNS endpoint given and no moto_server on its default port' };
}

/** Analysis ids are `[A-Za-z0-9._:-]`; `:` is kept out of file names for other systems' sake. */
export function safeFileName(id: string): string {
  return id.replace(/[^A-Za-z0-9._-]/g, '_');
}
