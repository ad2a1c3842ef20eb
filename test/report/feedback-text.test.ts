// The words of issue 21 in every rendering: the verdict line in each message, "seen before" in the
// e-mail, SNS, chat and terminal texts, the confirmed root cause in the closing message, and the
// live accuracy for the terminal — each name on one line, whatever it holds.

import { describe, expect, it } from 'vitest';
import { accuracyOf, type FeedbackRecord, recordVerdict } from '../../lambdas/core/feedback.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import type { SeenBefore } from '../../lambdas/core/seen-before.ts';
import { formatChatbotNotification } from '../../lambdas/report/chat.ts';
import { renderAccuracyText, seenBeforeText } from '../../lambdas/report/feedback-text.ts';
import { incidentNote } from '../../lambdas/report/incident-text.ts';
import { formatNotification } from '../../lambdas/report/sns-message.ts';
import { renderText } from '../../lambdas/report/text.ts';
import { makeFinding } from '../integration/findings-kit.ts';

const SEEN: SeenBefore = {
  analysisId: 'alarm-past',
  incidentId: 'inc-0123456789abcdef01234567',
  at: '2026-11-13T03:00:00.000Z',
  rootCause: 'payment-api',
  verdict: 'right',
  confirmedBy: 'arn:aws:sts::111122223333:assumed-role/oncall/alice',
  resolvedMinutes: 42,
  match: 'root-cause',
};

describe('Report: feedback and seen before', () => {
  it('should say how to give a verdict and that it was seen before, in every message', () => {
    // Prepare
    const finding: Finding = { ...makeFinding({ analysisId: 'alarm-now' }), seenBefore: SEEN };

    // Act
    const n = formatNotification(finding, '/analyses/alarm-now/report', { chatbot: true });
    const chat = formatChatbotNotification(finding, '/analyses/alarm-now/report');
    const text = renderText(finding);

    // Assess
    const seen =
      'seen before: 2026-11-13 03:00 UTC, root cause payment-api (confirmed right by arn:aws:sts::111122223333:assumed-role/oncall/alice), resolved in 42 min — incident inc-0123456789abcdef01234567, same root cause';
    const hint =
      'Was this right? npx cascade-analyzer findings feedback alarm-now --right | --wrong --actual NAME | --partly (API: POST /findings/alarm-now/feedback)';
    for (const message of [n.email, n.message]) {
      expect(message).toContain(seen);
      expect(message).toContain(hint);
    }
    // The text report's answer block: SEEN BEFORE, its text wrapped to the width.
    expect(text.replace(/\s+/g, ' ')).toContain(`SEEN BEFORE ${seen.replace(/^seen before: /, '')}`);
    expect(chat.content.description).toContain('*Seen before:* 2026-11-13 03:00 UTC, root cause payment-api');
    expect(chat.content.nextSteps.at(-1)).toBe(hint);
    expect(chat.content.nextSteps.length).toBeLessThanOrEqual(4);
  });

  it('should keep a hostile name on its line', () => {
    const line = seenBeforeText({ ...SEEN, rootCause: 'evil\nFAKE: line', confirmedBy: 'bob\u001b[31m' });
    expect(line.split('\n')).toHaveLength(1);
    expect(line).not.toContain('\u001b');
  });

  it('should name the root cause on-call confirmed in the closing message only', () => {
    // Prepare
    const incident = {
      incidentId: 'inc-0123456789abcdef01234567',
      status: 'RESOLVED' as const,
      openedAt: '2026-11-20T03:00:00.000Z',
      lastActivityAt: '2026-11-20T03:42:00.000Z',
      resolvedAt: '2026-11-20T03:42:00.000Z',
      alarms: [],
      analyses: [],
      currentAnalysisId: 'alarm-now',
      rootCause: 'payment-api',
      reach: [],
      near: [],
      notifications: [],
      timeline: [],
      revision: 3,
    };
    const confirmed = {
      service: 'payment-service',
      verdict: 'wrong' as const,
      by: 'alice',
      at: '2026-11-20T03:30:00.000Z',
      analysisSaid: 'payment-api',
    };
    const n = (kind: 'resolved' | 'opened') => ({
      id: 'inc#1',
      kind,
      analysisId: null,
      decidedAt: '',
      sent: false,
    });

    // Act / Assess
    expect(incidentNote(incident, n('resolved'), undefined, confirmed).preface).toContain(
      'Root cause as on-call confirmed it: payment-service, confirmed by alice (wrong: the analysis said payment-api) 2026-11-20 03:30 UTC.',
    );
    expect(incidentNote(incident, n('resolved')).preface).not.toContain('confirmed');
  });

  it('should put the calibration warning first in the accuracy text', () => {
    const rs: FeedbackRecord[] = Array.from({ length: 30 }, (_, i) =>
      recordVerdict(
        {
          analysisId: `a${i}`,
          service: 'checkout',
          at: '2026-11-20T03:00:00.000Z',
          rootCauses: [{ service: 'payment-api', kind: 'faults', confidence: 0.97 }],
          cascade: [],
          verdicts: [],
          history: [],
        },
        i < 15
          ? { verdict: 'right', by: 'alice', at: '2026-11-20T04:00:00.000Z' }
          : { verdict: 'wrong', actual: 'db', by: 'alice', at: '2026-11-20T04:00:00.000Z' },
      ),
    );
    const text = renderAccuracyText(accuracyOf(rs, '2026-11-01T00:00:00.000Z', '2026-11-30T00:00:00.000Z'));
    expect(text.split('\n')[2]).toMatch(
      /^WARNING: Findings at 95–100 % confidence \(mean 97 %\) were right 50 % of the time over 30 verdicts/,
    );
    expect(text).toContain('overall  P@1  50 %  P@3  50 %  (30 verdicts: 15 right, 0 partly, 15 wrong)');
  });
});
