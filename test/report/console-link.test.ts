// The console link of every incident message (issue 19 §1): the incident dashboard with the
// `incident` variable set in the URL, in the e-mail, the SNS message and the chat card, built by
// the senders from INCIDENT_DASHBOARD and the region.

import { describe, expect, it } from 'vitest';
import { DEFAULT_INCIDENT_CONFIG } from '../../lambdas/core/incidents/model.ts';
import { readIncidentConsole } from '../../lambdas/handlers/env.ts';
import { attachFinding, flushIncident } from '../../lambdas/handlers/incidents.ts';
import { consoleDashboardUrl, consoleHost, consoleLinkFor } from '../../lambdas/report/console-link.ts';
import { consoleLine, incidentNote } from '../../lambdas/report/incident-text.ts';
import { formatNotification } from '../../lambdas/report/sns-message.ts';
import { MemoryFindingsRepository, MemoryIncidentsWriter, RecordingNotifier } from '../handlers/fakes.ts';
import { ChatbotSchema } from './chatbot-schema.ts';
import { shopFindingWithEvidence, shopRecordedIncident } from './incident-fixtures.ts';

const DASHBOARD = { region: 'eu-west-1', dashboardName: 'CascadeAnalyzer-incidents' };
const ID = 'inc-0123456789abcdef01234567';

describe('Function: consoleDashboardUrl', () => {
  it('should open the dashboard with the incident variable set, in the console of the region', () => {
    // Act / Assess
    expect(consoleDashboardUrl(DASHBOARD, ID)).toBe(
      `https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/CascadeAnalyzer-incidents?var.incident=${ID}`,
    );
    expect(consoleDashboardUrl(DASHBOARD)).toBe(
      'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards/dashboard/CascadeAnalyzer-incidents',
    );
    expect(consoleHost('cn-north-1')).toBe('cn-north-1.console.amazonaws.cn');
    expect(consoleHost('us-gov-west-1')).toBe('us-gov-west-1.console.amazonaws-us-gov.com');
  });

  it('should refuse what is not a region, a dashboard name or an incident id, naming it', () => {
    // Act / Assess
    expect(() => consoleDashboardUrl({ ...DASHBOARD, region: 'eu-west-1/../x' }, ID)).toThrow(
      'not an AWS region: "eu-west-1/../x"',
    );
    expect(() => consoleDashboardUrl({ ...DASHBOARD, dashboardName: 'a b' }, ID)).toThrow(
      'not a CloudWatch dashboard name',
    );
    expect(() => consoleDashboardUrl(DASHBOARD, 'inc-1?var.x=y')).toThrow('not an incident id');
  });

  it('should read the dashboard from INCIDENT_DASHBOARD and AWS_REGION, and fail without the region', () => {
    // Act / Assess
    expect(readIncidentConsole({})).toBeUndefined();
    expect(readIncidentConsole({ INCIDENT_DASHBOARD: 'x-incidents', AWS_REGION: 'us-east-2' })).toEqual({
      region: 'us-east-2',
      dashboardName: 'x-incidents',
    });
    expect(() => readIncidentConsole({ INCIDENT_DASHBOARD: 'x-incidents' })).toThrow(
      'missing environment variable AWS_REGION',
    );
    expect(() => readIncidentConsole({ INCIDENT_DASHBOARD: 'x y', AWS_REGION: 'us-east-2' })).toThrow(
      'INCIDENT_DASHBOARD',
    );
  });
});

describe('Messages: the console link', () => {
  const { incident } = shopRecordedIncident();
  const notification = incident.notifications[0];
  if (notification === undefined) throw new Error('the shop incident sent no message');
  const url = consoleDashboardUrl(DASHBOARD, incident.incidentId);

  it('should put the link on the second line of the e-mail and the SNS message, and in the chat card', () => {
    // Prepare
    const note = incidentNote(incident, notification, url);
    // Act
    const n = formatNotification(shopFindingWithEvidence(), '/analyses/alarm-shop-0001/report', {
      chatbot: true,
      note,
    });
    // Assess
    expect(n.email.split('\n')[1]).toBe(consoleLine(url));
    expect(n.message.split('\n')[1]).toBe(consoleLine(url));
    const chat = ChatbotSchema.parse(JSON.parse(n.chatbot ?? '{}'));
    expect(chat.content.nextSteps[0]).toBe(`Open the incident in the AWS console: <${url}|cascade report>`);
    expect(chat.content.description).toContain(`<${url}|the incident in the AWS console>`);
    expect(chat.metadata.additionalContext.consoleUrl).toBe(url);
    expect(Buffer.byteLength(n.structured)).toBeLessThan(256 * 1024);
  });

  it('should carry no link when the stack names no dashboard', () => {
    // Act
    const n = formatNotification(shopFindingWithEvidence(), '/analyses/x/report', {
      chatbot: true,
      note: incidentNote(incident, notification),
    });
    // Assess
    expect(n.email).not.toContain('#dashboards/dashboard/');
    expect(n.chatbot).not.toContain('#dashboards/dashboard/');
  });

  it('should give every message an incident sends the link of its incident', async () => {
    // Prepare: the sender's dependencies as the wiring builds them from INCIDENT_DASHBOARD.
    const finding = shopFindingWithEvidence('alarm-shop-0002');
    const repository = new MemoryFindingsRepository();
    await repository.put(finding);
    const notifier = new RecordingNotifier();
    const deps = {
      incidents: new MemoryIncidentsWriter(),
      config: DEFAULT_INCIDENT_CONFIG,
      now: () => new Date('2026-11-20T03:15:20Z'),
      repository,
      notifier,
      consoleLink: (id: string) => consoleDashboardUrl(DASHBOARD, id),
    };
    expect(consoleLinkFor(DASHBOARD)?.(ID)).toBe(consoleDashboardUrl(DASHBOARD, ID));
    const attached = await attachFinding(
      finding,
      { key: 'frontend-fault', name: 'frontend-fault', firedAt: '2026-11-20T03:15:00.000Z' },
      'frontend',
      ['frontend'],
      deps,
    );
    // Act
    await flushIncident(attached.incident.incidentId, 'exec-1', deps);
    // Assess
    const note = notifier.published[0]?.note;
    expect(note?.consoleUrl).toBe(consoleDashboardUrl(DASHBOARD, attached.incident.incidentId));
    expect(note?.preface).toContain(consoleLine(note?.consoleUrl ?? ''));
  });
});
