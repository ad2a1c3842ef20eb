// AWS Chatbot's custom notification schema, for the tests of the chat rendering.

import { z } from 'zod';
import { CHAT_LIMITS } from '../../lambdas/report/chat.ts';

/** AWS Chatbot's custom notification schema; anything else is dropped by Chatbot without an error. */
export const ChatbotSchema = z.strictObject({
  version: z.literal('1.0'),
  source: z.literal('custom'),
  id: z.string().min(1),
  content: z.strictObject({
    textType: z.literal('client-markdown'),
    title: z.string().min(1).max(CHAT_LIMITS.title),
    description: z.string().min(1).max(CHAT_LIMITS.description),
    nextSteps: z.array(z.string().min(1).max(CHAT_LIMITS.nextStep)).max(CHAT_LIMITS.nextSteps),
    keywords: z.array(z.string().min(1).max(CHAT_LIMITS.keyword)).max(CHAT_LIMITS.keywords),
  }),
  metadata: z.strictObject({
    threadId: z.string().min(1),
    summary: z.string().min(1),
    eventType: z.string().min(1),
    additionalContext: z.record(z.string(), z.string()),
  }),
});
