// The evidence beyond the graph in every rendering: the shop finding with its X-Ray traces, an
// exemplar in detail and the deployment of payment-service 4 minutes before the start.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import { parseTraceSummaries } from '../../lambdas/core/evidence/trace-summaries.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { formatChatbotNotification } from '../../lambdas/report/chat.ts';
import { formatEmailText } from '../../lambdas/report/email.ts';
import { renderHtml } from '../../lambdas/report/html.ts';
import { formatNotification, MAX_MESSAGE_BYTES } from '../../lambdas/report/sns-message.ts';
import { renderText } from '../../lambdas/report/text.ts';
import { ChatbotSchema } from './chatbot-schema.ts';
import { ROOT, shopIncident } from './fixtures.ts';

const json = (file: string): unknown => JSON.parse(readFileSync(resolve(ROOT, 'examples', file), 'utf8'));

function shopWithEvidence(): Finding {
  return analyze(shopIncident().snapshot, {
    analysisId: 'alarm-shop-0001',
    service: 'frontend',
    trigger: { source: 'alarm', service: 'frontend' },
    evidence: {
      traces: parseTraceSummaries(json('shop-traces.json')),
      changes: parseLookupEvents(json('shop-changes.json')),
      exemplarTraces: json('shop-exemplars.json'),
      region: 'eu-west-1',
    },
  });
}

describe('Reports: evidence beyond the graph', () => {
  const f = shopWithEvidence();
  const top = f.rootCauses[0];
  const exemplar = top?.traces?.exemplars[0];

  it('should carry exceptions, exemplars and the change in the finding', () => {
    // Assess
    expect(top?.traces?.exceptions[0]?.name).toBe('PaymentGatewayError');
    expect(exemplar?.url).toContain('#xray:traces/');
    expect(f.changes?.[0]?.services).toEqual(['payment-service']);
  });

  it('should show them in the text report: the answer first, the trace links and every note with --verbose', () => {
    // Act
    const text = renderText(f);
    const verbose = renderText(f, { verbose: true, width: 200 });
    // Assess
    expect(text).toMatch(/^PROOF {7}failure rate 15\.3 % over 21708 requests, baseline 0\.2 %$/m);
    expect(text).toContain(
      'X-Ray blames it in 36 of 40 traces with a root cause (90 %), mostly PaymentGatewayError',
    );
    expect(text).toMatch(
      /^CHANGED {5}payment-service \(on the path to the users\), 4 min before the start: ECS/m,
    );
    expect(text).toContain('exceptions in its traces: PaymentGatewayError ×28');
    expect(text).not.toContain(exemplar?.url);
    expect(verbose).toContain(`trace ${exemplar?.traceId} ${exemplar?.url}`);
    expect(verbose).toMatch(
      /CHANGES NEAR THE START[^\n]*\n {2}2026-11-20 02:56 UTC, 4 min before the start: ECS service update \(UpdateService\) by deploy-pipeline → payment-service/,
    );
    expect(verbose).toContain('Traces agree: X-Ray blames api.payments.example.com in 36 of 40 traces');
  });

  it('should show them in the e-mail', () => {
    // Act
    const email = formatEmailText(f, '/analyses/alarm-shop-0001/report');
    // Assess
    expect(email).toContain('X-Ray traces: X-Ray blames it in 36 of 40 traces with a root cause (90 %)');
    expect(email).toContain(`exemplar: ${exemplar?.url}`);
    expect(email).toContain('Changes near the start (newest first):');
    expect(email).toContain('payment-service, a caller on the path');
  });

  it('should show them in the chat notification, links in Slack syntax, within the schema', () => {
    // Act
    const chat = ChatbotSchema.parse(formatChatbotNotification(f, '/analyses/alarm-shop-0001/report'));
    // Assess
    expect(chat.content.description).toContain(`*Exemplar traces:* <${exemplar?.url}|${exemplar?.traceId}>`);
    expect(chat.content.description).toContain('*Changed:* 2026-11-20 02:56 UTC, 4 min before the start');
    expect(chat.content.description).toContain('PaymentGatewayError ×28');
  });

  it('should show them in the HTML report, escaped, with links to the console', async () => {
    // Prepare
    const evil: Finding = {
      ...f,
      changes: [
        { ...(f.changes?.[0] as NonNullable<Finding['changes']>[number]), who: '<script>x</script>' },
      ],
    };
    // Act
    const html = await renderHtml(evil);
    // Assess
    expect(html).toContain(`<a class="exemplar" href="${exemplar?.url?.replace(/&/g, '&amp;')}"`);
    expect(html).toContain('<section id="changes">');
    expect(html).toContain('PaymentGatewayError ×28');
    expect(html).toContain('&lt;script&gt;x&lt;/script&gt;');
    expect(html).not.toContain('<script>x</script>');
  });

  it('should keep the SNS message within its limit with every evidence field at its bound', () => {
    // Prepare
    const long = 'x'.repeat(300);
    const stuffed: Finding = {
      ...f,
      changes: Array.from({ length: 20 }, (_, i) => ({
        ...(f.changes?.[0] as NonNullable<Finding['changes']>[number]),
        who: `${long}-${i}`,
        resources: [long, long, long],
      })),
    };
    // Act
    const n = formatNotification(stuffed, '/analyses/a/report', { chatbot: true });
    // Assess
    expect(Buffer.byteLength(n.structured, 'utf8')).toBeLessThan(MAX_MESSAGE_BYTES);
    expect(ChatbotSchema.safeParse(JSON.parse(JSON.parse(n.structured).https)).success).toBe(true);
  });
});
