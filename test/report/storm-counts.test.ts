// Count what the reader sees (issue 19): the storm's 16 alarms, 4 of which fire twice, are 16
// alarms everywhere (demo output, incident message, incident text), and the message of an
// analysis scoped to one alarmed service does not call the cascade a "2-service cascade".

import { describe, expect, it } from 'vitest';
import { stormAlarmLine } from '../../bin/commands/demo-storm.ts';
import { analyze } from '../../lambdas/core/analyze.ts';
import type { Incident, IncidentAlarm } from '../../lambdas/core/incidents/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { STORM_CASCADE, stormScenario } from '../../lambdas/local/storm-scenario.ts';
import { formatChatbotNotification } from '../../lambdas/report/chat.ts';
import { formatEmailText } from '../../lambdas/report/email.ts';
import { alarmsText, incidentNote, renderIncidentText } from '../../lambdas/report/incident-text.ts';

const T0 = Date.parse('2026-11-20T03:00:00Z');
const iso = (ms: number): string => new Date(T0 + ms).toISOString();

/** The demo's storm as the incident records it: 16 alarms on 8 services, the first 4 firing twice. */
function stormIncident(state: 'ALARM' | 'OK'): Incident {
  const fired: IncidentAlarm[] = STORM_CASCADE.flatMap((service, i) =>
    (['fault-rate', 'p99'] as const).map((kind, k) => ({
      analysisId: `alarm-${service}-${kind}`,
      alarmKey: `cascade-analyzer-${service}-${kind}`,
      alarmName: `cascade-analyzer-${service}-${kind}`,
      service,
      firedAt: iso(i * 4_000 + k * 1_500),
      state,
      ...(state === 'OK' ? { okAt: iso(80_000) } : {}),
    })),
  );
  const again = fired
    .slice(0, 4)
    .map((a) => ({ ...a, analysisId: `${a.analysisId}-again`, firedAt: iso(50_000) }));
  return {
    incidentId: 'inc-000000000000000000000001',
    status: state === 'OK' ? 'RESOLVED' : 'OPEN',
    openedAt: iso(0),
    lastActivityAt: iso(80_000),
    ...(state === 'OK' ? { resolvedAt: iso(80_000) } : {}),
    alarms: [...fired, ...again],
    analyses: [],
    currentAnalysisId: null,
    rootCause: 'bank-api',
    reach: [...STORM_CASCADE],
    near: [],
    notifications: [],
    timeline: [],
    revision: 1,
  };
}

const note = (kind: 'opened' | 'resolved') => ({
  id: `inc-000000000000000000000001#${kind === 'opened' ? 0 : 1}`,
  kind,
  analysisId: null,
  decidedAt: iso(80_000),
  sent: false,
});

describe('Reports: the storm counted as the reader sees it', () => {
  it('should count an alarm that fired twice once, in the message and the incident text', () => {
    // Prepare
    const open = stormIncident('ALARM');
    const resolved = stormIncident('OK');
    expect(open.alarms).toHaveLength(20);
    // Act
    const opened = incidentNote(open, note('opened'));
    const closed = incidentNote(resolved, note('resolved'));
    const text = renderIncidentText(resolved);
    // Assess
    expect(alarmsText(open)).toBe('16 alarms on 8 services');
    expect(opened.preface).toContain('by 16 alarms on 8 services.');
    expect(opened.subject).toBe('[cascade] bank-api: root cause of 16 alarms on 8 services');
    expect(closed.preface).toContain('Alarms (16):');
    expect(closed.preface.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(16);
    expect(text).toContain('alarms (16):');
    expect(text).toContain('(went to ALARM 2 times)');
  });

  it('should give the demo one count of alarms when they fire and when they go back to OK', () => {
    // Act
    const line = stormAlarmLine(16, 4, STORM_CASCADE);
    // Assess
    expect(line).toMatch(
      /^16 alarms on 8 services \(bank-api, .*\) go to ALARM, 4 of them twice: 20 state changes/,
    );
  });

  it('should not call an analysis scoped to one alarmed service a 2-service cascade', () => {
    // Prepare: the storm's analysis of the alarm on ledger sees bank-api and ledger only.
    const finding = analyze(parseSnapshot(stormScenario().snapshot), {
      analysisId: 'alarm-storm-ledger',
      service: 'ledger',
      trigger: { source: 'alarm', service: 'ledger', alarmName: 'cascade-analyzer-ledger-fault-rate' },
    });
    // Act
    const email = formatEmailText(finding, '/analyses/alarm-storm-ledger/report');
    const chat = formatChatbotNotification(finding, '/analyses/alarm-storm-ledger/report');
    // Assess
    expect(email.split('\n')[0]).toBe(
      'bank-api is the most likely root cause of the alarm on ledger (2 degraded services from bank-api to ledger).',
    );
    expect(JSON.stringify(chat)).not.toContain('-service cascade');
    expect(JSON.stringify(chat)).toContain('the alarm on ledger');
  });
});
