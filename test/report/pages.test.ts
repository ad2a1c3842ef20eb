// Pages as PagerDuty and a webhook receiver get them: the shop incident's trigger and resolve are
// valid Events API v2 events (checked field by field against the documented limits), the summary
// names the root cause and its confidence, severity follows the blast radius, and names from X-Ray
// of any length stay within the limits.

import { describe, expect, it } from 'vitest';
import { alarmOk, attachAnalysis } from '../../lambdas/core/incidents/lifecycle.ts';
import {
  DEFAULT_INCIDENT_CONFIG,
  EMPTY_OPEN_INCIDENTS,
  type Incident,
} from '../../lambdas/core/incidents/model.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import {
  PAGERDUTY_LIMITS,
  pageSummary,
  renderPagerDutyEvents,
  renderWebhookDocument,
  severityOf,
  WEBHOOK_SCHEMA,
} from '../../lambdas/report/pages.ts';
import { pagerDutyProblems } from '../support/page-receiver.ts';
import { shopIncident } from './fixtures.ts';

const ROUTING_KEY = 'a'.repeat(32);
const NOW = new Date('2026-11-20T03:16:00.000Z');

/** The shop finding's incident: opened by its alarm, then resolved when the alarm is back to OK. */
function shopIncidentLifecycle(finding: Finding): { opened: Incident; resolved: Incident } {
  const top = finding.rootCauses[0];
  const attached = attachAnalysis(
    EMPTY_OPEN_INCIDENTS,
    {
      analysisId: finding.analysisId,
      alarmKey: 'cascade-analyzer-frontend-fault-rate',
      alarmName: 'cascade-analyzer-frontend-fault-rate',
      service: 'frontend',
      firedAt: '2026-11-20T03:15:00.000Z',
      status: finding.status,
      rootCause: top?.service ?? null,
      reach: ['frontend', 'order-service', 'payment-service', 'api.payments.example.com'],
      near: ['frontend'],
    },
    NOW,
    DEFAULT_INCIDENT_CONFIG,
  );
  const ok = alarmOk(
    attached.doc,
    { alarmKey: 'cascade-analyzer-frontend-fault-rate', at: '2026-11-20T03:40:00.000Z' },
    new Date('2026-11-20T03:41:00.000Z'),
    DEFAULT_INCIDENT_CONFIG,
  );
  const resolved = ok.incidents[0];
  if (resolved === undefined) throw new Error('the OK resolved no incident');
  return { opened: attached.incident, resolved };
}

const asSent = (event: object) => JSON.stringify({ routing_key: ROUTING_KEY, ...event });

describe('Function: renderPagerDutyEvents', () => {
  it('should trigger the shop incident with dedup_key = incident id, a summary naming root cause and confidence, and the key facts', () => {
    // Prepare
    const { finding } = shopIncident();
    const { opened } = shopIncidentLifecycle(finding);
    const message = opened.notifications[0];
    if (message === undefined) throw new Error('no opening message');

    // Act
    const events = renderPagerDutyEvents(opened, message, finding, '/analyses/alarm-shop-0001/report', {
      incidentUrl: 'https://ops.example.com/incidents/{incidentId}',
    });

    // Assess
    expect(events).toHaveLength(1);
    const [event] = events;
    expect(pagerDutyProblems(asSent(event ?? {}))).toEqual([]);
    expect(event?.event_action).toBe('trigger');
    expect(event?.dedup_key).toBe(opened.incidentId);
    expect(event?.payload?.summary).toMatch(/^Root cause api\.payments\.example\.com \(confidence 99 %\)/);
    expect(event?.payload?.severity).toBe('critical');
    expect(event?.payload?.source).toBe('api.payments.example.com');
    expect(event?.links).toEqual([
      {
        href: `https://ops.example.com/incidents/${opened.incidentId}`,
        text: `Incident ${opened.incidentId}`,
      },
    ]);
    const details = event?.payload?.custom_details as Record<string, unknown>;
    expect(details.root_cause).toMatchObject({ service: 'api.payments.example.com', confidence: 0.99 });
    expect(details.path_to_users).toBe(
      'api.payments.example.com → payment-service → order-service → frontend',
    );
    expect(details.evidence).toContain('failure rate 15.3 % over 21708 requests, baseline 0.2 %');
    expect(details.first_action).toMatch(/circuit breaker in payment-service/);
    expect(details.message).toBe(`${opened.incidentId}#0`);
  });

  it('should resolve the same dedup_key when the incident resolves, and the alerts of incidents merged into it', () => {
    // Prepare
    const { finding } = shopIncident();
    const { resolved } = shopIncidentLifecycle(finding);
    const closing = resolved.notifications.at(-1);
    if (closing === undefined) throw new Error('no closing message');

    // Act
    const events = renderPagerDutyEvents(resolved, closing, finding, '/r');
    const merged = renderPagerDutyEvents({ ...resolved, mergedFrom: ['inc-older'] }, closing, finding, '/r');

    // Assess
    expect(closing.kind).toBe('resolved');
    expect(events).toEqual([{ event_action: 'resolve', dedup_key: resolved.incidentId }]);
    expect(pagerDutyProblems(asSent(events[0] ?? {}))).toEqual([]);
    expect(merged.map((e) => e.dedup_key)).toEqual([resolved.incidentId, 'inc-older']);
  });

  it('should keep every field within its limit whatever the names from X-Ray hold', () => {
    // Prepare: a root cause named with 3,000 characters, line breaks and an emoji on the cut.
    const { finding } = shopIncident();
    const long = `${'x'.repeat(1014)}😀\n${'y'.repeat(2000)}`;
    const renamed: Finding = {
      ...finding,
      rootCauses: finding.rootCauses.map((rc, i) => (i === 0 ? { ...rc, service: long } : rc)),
    };
    const { opened } = shopIncidentLifecycle(renamed);
    const message = opened.notifications[0];
    if (message === undefined) throw new Error('no opening message');

    // Act
    const [event] = renderPagerDutyEvents(opened, message, renamed, '/r');

    // Assess
    const summary = event?.payload?.summary ?? '';
    expect(pagerDutyProblems(asSent(event ?? {}))).toEqual([]);
    expect(summary.length).toBeLessThanOrEqual(PAGERDUTY_LIMITS.summaryChars);
    expect(summary).not.toMatch(/\n/);
    expect(summary).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(summary.endsWith(`[${opened.incidentId}]`)).toBe(true);
    expect(event?.payload?.source.length).toBeLessThanOrEqual(255);
  });
});

describe('Function: severityOf', () => {
  it('should rise with the share of entry traffic through the root cause', () => {
    // Prepare
    const { finding } = shopIncident();
    const top = finding.rootCauses[0];
    if (top === undefined) throw new Error('no root cause');
    const withShare = (entryTrafficShare: number, affected: string[]): Finding => ({
      ...finding,
      rootCauses: [{ ...top, blastRadius: { ...top.blastRadius, entryTrafficShare, affected } }],
    });

    // Act / Assess
    expect(severityOf(withShare(0.4, ['a']))).toBe('critical');
    expect(severityOf(withShare(0.25, []))).toBe('critical');
    expect(severityOf(withShare(0.05, []))).toBe('error');
    expect(severityOf(withShare(0, ['a']))).toBe('error');
    expect(severityOf(withShare(0, []))).toBe('warning');
    expect(severityOf({ ...finding, status: 'FAILED', rootCauses: [] })).toBe('error');
  });
});

describe('Function: renderWebhookDocument', () => {
  it('should carry the message id, its sequence, the incident and the finding facts under a versioned schema', () => {
    // Prepare
    const { finding } = shopIncident();
    const { opened, resolved } = shopIncidentLifecycle(finding);
    const closing = resolved.notifications.at(-1);
    const first = opened.notifications[0];
    if (closing === undefined || first === undefined) throw new Error('messages missing');

    // Act
    const doc = renderWebhookDocument(opened, first, finding, '/analyses/alarm-shop-0001/report');
    const end = renderWebhookDocument(resolved, closing, finding, '/analyses/alarm-shop-0001/report');

    // Assess
    expect(doc).toMatchObject({
      schema: WEBHOOK_SCHEMA,
      id: `${opened.incidentId}#0`,
      kind: 'opened',
      sequence: 0,
      severity: 'critical',
      incident: { id: opened.incidentId, status: 'OPEN', openedOn: 'frontend', url: null },
      finding: {
        rootCause: { service: 'api.payments.example.com' },
        reportPath: '/analyses/alarm-shop-0001/report',
      },
    });
    expect(doc.summary).toBe(pageSummary(opened, first, finding));
    expect(end).toMatchObject({ id: `${opened.incidentId}#1`, kind: 'resolved', sequence: 1 });
    expect(end.incident.resolvedAt).toBe('2026-11-20T03:40:00.000Z');
  });
});
