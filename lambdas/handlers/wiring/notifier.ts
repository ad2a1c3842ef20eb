// The SNS notifier as a deployed function builds it: topic and Chatbot switch from the environment,
// the client traced. Only bundles of functions that publish import this module.

import { createSnsClient, SnsNotifier } from '../../adapters/notifier.ts';
import { ENV } from '../contracts.ts';
import { type Env, readFlagEnv, requireEnv } from '../env.ts';
import { tracer } from '../observability.ts';

export function notifierFrom(env: Env): SnsNotifier {
  return new SnsNotifier({
    client: tracer.captureAWSv3Client(createSnsClient()),
    topicArn: requireEnv(env, ENV.topicArn),
    chatbot: readFlagEnv(env, ENV.chatbotNotifications),
  });
}
