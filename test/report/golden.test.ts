// Golden files: the text renderings of the shop example, byte for byte (JSON compared as data).
// A change to any of them shows up as a diff in review. Regenerate on purpose with
//   UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts && npx biome format --write test/report/golden

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportPathFor } from '../../lambdas/handlers/contracts.ts';
import { formatChatbotNotification } from '../../lambdas/report/chat.ts';
import { formatEmailText } from '../../lambdas/report/email.ts';
import { formatMessage, formatNotification, formatSubject } from '../../lambdas/report/sns-message.ts';
import { renderText } from '../../lambdas/report/text.ts';
import { shopIncident } from './fixtures.ts';

const GOLDEN = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (update) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report/golden.test.ts`);
  }
  const expected = readFileSync(file, 'utf8');
  // JSON is compared as data: a formatter may lay the file out differently.
  if (name.endsWith('.json')) expect(JSON.parse(actual)).toEqual(JSON.parse(expected));
  else expect(actual).toBe(expected);
}

describe('Golden files: text summaries of the shop example', () => {
  const { finding } = shopIncident();
  const reportPath = reportPathFor(finding.analysisId);

  it('should name the root cause and the cascade size in the e-mail subject', () => {
    // Act
    const subject = formatSubject(finding);
    // Assess
    expect(subject.length).toBeLessThan(100);
    expect(subject).toContain('api.payments.example.com');
    golden('shop.subject.txt', `${subject}\n`);
  });

  it('should write the e-mail body: root cause, path to users, evidence, what to do, the report path', () => {
    // Act
    const email = formatEmailText(finding, reportPath);
    // Assess
    expect(email).toContain('Root cause: api.payments.example.com');
    expect(email).toContain(
      'Path to users: api.payments.example.com -> payment-service -> order-service -> frontend',
    );
    expect(email).toContain('failure rate 15.3 % over 21708 requests');
    expect(email).toContain('[circuit-breaker]');
    expect(email).toContain(`Report: ${reportPath}`);
    golden('shop.email.txt', `${email}\n`);
  });

  it('should write the default SNS message: the summary, then the facts as JSON', () => {
    golden('shop.sns-message.txt', `${formatMessage(finding, reportPath)}\n`);
  });

  it('should write the AWS Chatbot custom notification', () => {
    golden(
      'shop.chatbot.json',
      `${JSON.stringify(formatChatbotNotification(finding, reportPath), null, 2)}\n`,
    );
  });

  it('should publish exactly these variants, keyed by protocol', () => {
    // Act
    const n = formatNotification(finding, reportPath, { chatbot: true });
    const variants = JSON.parse(n.structured) as Record<string, string>;
    // Assess
    expect(Object.keys(variants)).toEqual(['default', 'email', 'https']);
    expect(variants.default).toBe(formatMessage(finding, reportPath));
    expect(variants.email).toBe(formatEmailText(finding, reportPath));
    expect(JSON.parse(variants.https ?? '')).toEqual(formatChatbotNotification(finding, reportPath));
  });

  it('should keep the text report of the CLI', () => {
    golden('shop.report.txt', renderText(finding));
  });
});
