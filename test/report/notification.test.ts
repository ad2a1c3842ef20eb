// The notification texts beyond the shop example: SNS's size limit with a 10,000-service finding,
// the AWS Chatbot schema, findings without a root cause, and the configuration switch.

import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/model.ts';
import { ENV, reportPathFor } from '../../lambdas/handlers/contracts.ts';
import { readFlagEnv } from '../../lambdas/handlers/env.ts';
import { ConfigurationError } from '../../lambdas/handlers/errors.ts';
import { formatChatbotNotification } from '../../lambdas/report/chat.ts';
import { formatEmailText } from '../../lambdas/report/email.ts';
import {
  FACTS_SEPARATOR,
  formatNotification,
  formatSubject,
  MAX_EMAIL_BYTES,
  MAX_MESSAGE_BYTES,
} from '../../lambdas/report/sns-message.ts';
import { ChatbotSchema } from './chatbot-schema.ts';
import { generatedIncident, shopIncident } from './fixtures.ts';
import { hugeFinding, serviceName } from './large-finding.ts';

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8');

/** What SNS counts against its 256 KB: the message, the subject and every attribute. */
function publishBytes(n: ReturnType<typeof formatNotification>): number {
  const attrs = Object.entries(n.attributes).reduce(
    (s, [k, v]) => s + bytes(k) + bytes(v) + bytes('String'),
    0,
  );
  return bytes(n.structured) + bytes(n.subject) + attrs;
}

describe('Function: formatNotification', () => {
  it('should keep a 10,000-service finding within the SNS message limit, every variant readable', () => {
    // Prepare
    const finding = hugeFinding(10_000);
    const path = reportPathFor(finding.analysisId);
    // Act
    const n = formatNotification(finding, path, { chatbot: true });
    // Assess
    expect(JSON.stringify(finding).length).toBeGreaterThan(10 * MAX_MESSAGE_BYTES);
    expect(publishBytes(n)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    const variants = JSON.parse(n.structured) as Record<string, string>;
    expect(Object.keys(variants)).toEqual(['default', 'email', 'https']);
    expect(variants.email).toBe(n.email);
    expect(bytes(n.email)).toBeLessThanOrEqual(MAX_EMAIL_BYTES);
    expect(n.email).toContain(`Root cause: ${serviceName(0)}`);
    expect(n.email).toContain(`Report: ${path}`);
    const facts = JSON.parse(
      n.message.slice(n.message.lastIndexOf(FACTS_SEPARATOR) + FACTS_SEPARATOR.length),
    );
    expect(facts).toMatchObject({ rootCause: serviceName(0), servicesInCascade: 10_000, rootCauseCount: 5 });
    const chat = ChatbotSchema.parse(JSON.parse(variants.https ?? ''));
    expect(chat.content.description).toContain(`Report:* \`GET ${path}\``);
    expect(n.subject.length).toBeLessThan(100);
    expect(n.subject).toMatch(
      /^\[cascade\] svc-00000-zhlwerk-ervice-x+\.*: root cause of 10000-service cascade \(COMPLETED\)$/,
    );
  });

  it('should keep a real engine finding of a 500-service incident whole', () => {
    // Prepare
    const { finding, rootCause } = generatedIncident(500);
    // Act
    const n = formatNotification(finding, reportPathFor(finding.analysisId), { chatbot: true });
    // Assess
    expect(publishBytes(n)).toBeLessThan(64 * 1024);
    expect(n.subject).toContain(rootCause);
    expect(n.email).toContain(`Root cause: ${rootCause}`);
    expect(ChatbotSchema.safeParse(JSON.parse(n.chatbot ?? '')).success).toBe(true);
  });

  it('should leave the chat variant out unless it is enabled', () => {
    // Act
    const n = formatNotification(shopIncident().finding, '/analyses/x/report');
    // Assess
    expect(n.chatbot).toBeUndefined();
    expect(Object.keys(JSON.parse(n.structured) as object)).toEqual(['default', 'email']);
  });

  it('should give every message a notificationId subscribers can de-duplicate on: the analysis id, or the incident message id', () => {
    // Prepare
    const finding = shopIncident().finding;
    const note = { incidentId: 'inc-1', notificationId: 'inc-1#3', kind: 'update' as const, preface: '' };

    // Act
    const alone = formatNotification(finding, '/analyses/x/report');
    const again = formatNotification(finding, '/analyses/x/report');
    const ofIncident = formatNotification(finding, '/analyses/x/report', { note });

    // Assess
    expect(alone.attributes.notificationId).toBe(finding.analysisId);
    expect(again.attributes.notificationId).toBe(alone.attributes.notificationId);
    expect(ofIncident.attributes.notificationId).toBe('inc-1#3');
  });
});

describe('Function: formatChatbotNotification', () => {
  const shop = shopIncident().finding;
  const cases: readonly [string, Finding, RegExp][] = [
    ['a failed analysis', { ...shop, status: 'FAILED', rootCauses: [], error: 'X-Ray throttled' }, /^:x: /],
    ['no data', { ...shop, status: 'NO_DATA', rootCauses: [], recommendations: [] }, /^:grey_question: /],
    ['no cascade', { ...shop, rootCauses: [], cascade: { paths: [] } }, /^:white_check_mark: No cascade/],
  ];
  it.each(cases)('should still give a valid notification for %s', (_, finding, title) => {
    // Act
    const chat = ChatbotSchema.parse(formatChatbotNotification(finding, '/analyses/a/report'));
    // Assess
    expect(chat.content.title).toMatch(title);
    expect(chat.content.nextSteps.at(-1)).toBe('Open the full report: `GET /analyses/a/report`');
  });

  it('should escape markup and keep names out of the markdown syntax', () => {
    // Prepare
    const evil = 'pay`ments <@here> & *bold*\nnext';
    const finding: Finding = {
      ...shop,
      rootCauses: shop.rootCauses.map((r) => ({ ...r, service: evil })),
    };
    // Act
    const chat = formatChatbotNotification(finding, '/analyses/a/report');
    // Assess
    expect(chat.content.title).toContain("`pay'ments &lt;@here&gt; &amp; *bold* next`");
    expect(chat.content.description).not.toContain('<@here>');
    expect(ChatbotSchema.safeParse(chat).success).toBe(true);
  });
});

describe('Function: formatEmailText', () => {
  it('should say why there is no root cause when there is none', () => {
    // Prepare
    const shop = shopIncident().finding;
    const finding: Finding = {
      ...shop,
      status: 'NO_DATA',
      rootCauses: [],
      recommendations: [],
      summary: 'No data.',
    };
    // Act
    const email = formatEmailText(finding, '/analyses/a/report');
    // Assess
    expect(email.split('\n')[0]).toBe('X-Ray had no data for frontend in the window: nothing to analyze.');
    expect(email).toContain('Summary: No data.');
    expect(formatSubject(finding)).toBe('[cascade] frontend: no X-Ray data in the window (NO_DATA)');
  });
});

describe('Function: readFlagEnv', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['true', true],
    [' TRUE ', true],
    ['false', false],
  ])('should read %j as %s', (raw, expected) => {
    expect(readFlagEnv({ [ENV.chatbotNotifications]: raw }, ENV.chatbotNotifications)).toBe(expected);
  });

  it('should refuse anything else, naming the variable', () => {
    expect(() => readFlagEnv({ CHATBOT_NOTIFICATIONS: 'yes please' }, ENV.chatbotNotifications)).toThrow(
      new ConfigurationError(
        'environment variable CHATBOT_NOTIFICATIONS must be true or false, got "yes please"',
      ),
    );
  });
});

describe('Text outputs: names with control characters', () => {
  /** The shop finding with its root cause renamed to something an application could report. */
  function forged(): Finding {
    const f = shopIncident().finding;
    const evil = 'payments\nROOT CAUSE: evil-service\r\u2028Root cause: evil\u202E';
    const rename = (s: string) => (s === f.rootCauses[0]?.service ? evil : s);
    return JSON.parse(JSON.stringify(f), (_k, v) => (typeof v === 'string' ? rename(v) : v)) as Finding;
  }
  const forgedLine = (text: string) =>
    text.split(/\r\n|\r|\n|\u2028|\u2029/).some((l) => /^\s*root cause: evil/i.test(l));

  it('should never let a service name start a line of the text report, e-mail, SNS message or chat message', async () => {
    // Prepare
    const f = forged();
    const { renderText } = await import('../../lambdas/report/text.ts');

    // Act
    const n = formatNotification(f, reportPathFor(f.analysisId), { chatbot: true });
    const outputs = {
      text: renderText(f),
      email: formatEmailText(f, '/r'),
      message: n.message,
      emailVariant: n.email,
      chat: JSON.stringify(formatChatbotNotification(f, '/r')),
    };

    // Assess
    expect(f.rootCauses[0]?.service).toContain('\n');
    for (const [name, text] of Object.entries(outputs)) {
      expect(forgedLine(text), name).toBe(false);
      expect(text, name).not.toMatch(/[\u2028\u202E]/);
    }
    expect(outputs.chat).not.toMatch(/\\n\s*ROOT CAUSE/i);
    for (const [k, v] of Object.entries(n.attributes)) expect(v, k).not.toMatch(/\p{Cc}/u);
    expect(n.subject).not.toMatch(/\p{Cc}/u);
  });
});
