// The incident widget's handler without a browser: which incident the CloudWatch event chooses (top
// level or widgetContext.params), a malformed event named, and a cold start naming what is missing.

import { describe, expect, it } from 'vitest';
import { InputValidationError } from '../../lambdas/handlers/errors.ts';
import { incidentConsole, MAX_LISTED } from '../../lambdas/handlers/incident-console.ts';
import { incidentConsoleDeps } from '../../lambdas/handlers/wiring/incident-console.ts';
import { shopRecordedIncident } from '../report/incident-fixtures.ts';

const DASHBOARD = { region: 'eu-west-1', dashboardName: 'S-incidents' };

function deps() {
  const { incident, findings } = shopRecordedIncident();
  const asked: number[] = [];
  return {
    incident,
    asked,
    deps: {
      incidents: { get: async (id: string) => (id === incident.incidentId ? incident : undefined) },
      findings: { get: async (id: string) => findings.get(id) },
      work: {
        incidents: async (limit: number) => {
          asked.push(limit);
          return [];
        },
      },
      dashboard: DASHBOARD,
    },
  };
}

describe('Handler: incident-console', () => {
  it('should take the incident from widgetContext.params when the event has no top-level parameter', async () => {
    // Prepare
    const { deps: d, incident, asked } = deps();
    // Act
    const html = await incidentConsole({ widgetContext: { params: { incident: incident.incidentId } } }, d);
    // Assess: a resolved incident is still shown by its link; the list asked for at most MAX_LISTED.
    expect(html).toContain(`Incident ${incident.incidentId} · RESOLVED`);
    expect(html).toContain('class="verdict');
    expect(asked).toEqual([MAX_LISTED]);
  });

  it('should name the field of a malformed event', async () => {
    // Act / Assess
    const { deps: d } = deps();
    await expect(incidentConsole({ describe: 'yes' }, d)).rejects.toThrow(InputValidationError);
    await expect(incidentConsole({ describe: 'yes' }, d)).rejects.toThrow('describe');
  });

  it('should fail a cold start naming the missing variables', () => {
    // Act / Assess
    expect(() => incidentConsoleDeps({ FINDINGS_TABLE: 't', FINDINGS_RETENTION_DAYS: '90' })).toThrow(
      'missing environment variable INCIDENT_DASHBOARD',
    );
    expect(() =>
      incidentConsoleDeps({ FINDINGS_TABLE: 't', FINDINGS_RETENTION_DAYS: '90', INCIDENT_DASHBOARD: 'x' }),
    ).toThrow('AWS_REGION');
  });
});
