// The SNS notifier as a deployed function builds it: the message rendered here (Chatbot switch from
// the environment), delivered by the SNS publisher to the topic, the client traced. Only bundles of
// functions that publish import this module.

import { createSnsClient, SnsPublisher } from '../../adapters/notifier.ts';
import { ENV } from '../contracts.ts';
import { type Env, readFlagEnv, requireEnv } from '../env.ts';
import { tracer } from '../observability.ts';
import { RenderingNotifier } from '../rendering-notifier.ts';

export function notifierFrom(env: Env): RenderingNotifier {
  const publisher = new SnsPublisher({
    client: tracer.captureAWSv3Client(createSnsClient()),
    topicArn: requireEnv(env, ENV.topicArn),
  });
  return new RenderingNotifier(publisher, { chatbot: readFlagEnv(env, ENV.chatbotNotifications) });
}
