// The postmortem draft (issue 20 §3): golden files for the shop demo and the storm, made by the
// real engine and incident reducers; the storm's timeline holds every alarm once; names from
// X-Ray cannot break the Markdown. Regenerate the goldens on purpose with
//   UPDATE_GOLDEN=1 npx vitest run test/report/postmortem.test.ts

import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../lambdas/core/incidents/model.ts';
import { STORM_CASCADE } from '../../lambdas/local/storm-scenario.ts';
import { postmortemDraft, renderPostmortemMarkdown, TO_FILL } from '../../lambdas/report/postmortem.ts';
import { shopRecordedIncident, stormRecordedIncident } from './incident-fixtures.ts';

const GOLDEN = join(import.meta.dirname, 'golden');
const update = process.env.UPDATE_GOLDEN === '1';

function golden(name: string, actual: string): void {
  const file = join(GOLDEN, name);
  if (update) {
    writeFileSync(file, actual);
    return;
  }
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: run UPDATE_GOLDEN=1 npx vitest run test/report/postmortem.test.ts`);
  }
  const expected = readFileSync(file, 'utf8');
  if (name.endsWith('.json')) expect(JSON.parse(actual)).toEqual(JSON.parse(expected));
  else expect(actual).toBe(expected);
}

/** The rows of the Markdown table under `## heading`. */
function tableRows(markdown: string, heading: string): string[] {
  const section = markdown.split(`\n## ${heading}\n`)[1]?.split('\n## ')[0] ?? '';
  return section
    .split('\n')
    .filter((l) => l.startsWith('| ') && !l.startsWith('| time') && !l.startsWith('| alarm |'));
}

describe('Function: postmortemDraft', () => {
  it('should draft the shop demo: summary, impact, UTC timeline with the CloudTrail change, evidence with exemplar links, recommendations and headings to fill', () => {
    // Prepare
    const { incident, findings } = shopRecordedIncident();
    // Act
    const draft = postmortemDraft(incident, [...findings.values()]);
    const markdown = renderPostmortemMarkdown(draft);
    // Assess
    expect(draft.summary.rootCause).toBe('api.payments.example.com');
    expect(draft.summary.duration).toBe('26 min (every alarm back to OK)');
    expect(draft.impact.entryTrafficShare).toBeCloseTo(0.4, 3);
    expect(markdown).toContain(
      '- **Duration:** 26 min (every alarm back to OK), 2026-11-20 03:15:00 to 03:41:00 UTC',
    );
    const timeline = tableRows(markdown, 'Timeline (UTC)');
    expect(timeline[0]).toBe(
      '| 2026-11-20 02:56:00 | Change: ECS service update (UpdateService) by deploy-pipeline → payment-service |',
    );
    expect(timeline.at(-2)).toContain('| 2026-11-20 03:41:00 | Resolved: every alarm back to OK');
    expect(timeline.filter((r) => r.includes('(root cause) sent'))).toHaveLength(1);
    expect(markdown).toMatch(
      /Exemplar traces: \[1-[0-9a-f-]+\]\(https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=eu-west-1#xray:traces\/1-/,
    );
    expect(markdown).toContain('1. **circuit-breaker** on payment-service:');
    for (const heading of TO_FILL) expect(markdown).toContain(`\n## ${heading}\n\n_To be written._\n`);
    golden('shop.postmortem.md', markdown);
    golden('shop.postmortem.json', `${JSON.stringify(draft, null, 2)}\n`);
  });

  it('should list every alarm of the storm once in the timeline, and the 20 analyses as one answer', () => {
    // Prepare: 16 alarms on 8 services, 4 of them fired twice (20 alarm events).
    const { incident, findings } = stormRecordedIncident();
    expect(incident.alarms).toHaveLength(20);
    // Act
    const draft = postmortemDraft(incident, [...findings.values()]);
    const markdown = renderPostmortemMarkdown(draft);
    // Assess
    const timeline = tableRows(markdown, 'Timeline (UTC)');
    const alarmRows = timeline.filter((r) => / Alarm: | First alarm: /.test(r));
    expect(alarmRows).toHaveLength(16);
    for (const service of STORM_CASCADE) {
      for (const kind of ['fault-rate', 'p99']) {
        const name = `cascade-analyzer-${service}-${kind}`;
        expect(timeline.filter((r) => r.includes(`${name} `))).toHaveLength(1);
      }
    }
    expect(timeline.filter((r) => r.includes('(2 times)'))).toHaveLength(4);
    expect(timeline.filter((r) => r.includes('| Analysis '))).toHaveLength(1);
    expect(timeline.filter((r) => r.includes('19 later analyses'))).toHaveLength(1);
    expect(tableRows(markdown, 'Impact')).toHaveLength(16);
    expect(markdown).toContain('- **Impact:** 16 alarms on 8 services; 7 services hurt besides bank-api;');
    // The evidence comes from the analysis that saw the whole path, not the last one (ledger's).
    expect(markdown).toContain(
      'Path to the users: bank-api → ledger → payments → orders → checkout → web → edge-proxy',
    );
    golden('storm.postmortem.md', markdown);
  });

  it('should name a root-cause change in the timeline', () => {
    // Prepare: a second analysis changed the answer.
    const { incident, findings } = shopRecordedIncident();
    const first = incident.analyses[0] as Incident['analyses'][number];
    const changed: Incident = {
      ...incident,
      analyses: [
        { ...first, rootCause: 'payment-service' },
        { ...first, analysisId: 'alarm-shop-0002', at: '2026-11-20T03:20:00.000Z' },
      ],
    };
    // Act
    const markdown = renderPostmortemMarkdown(postmortemDraft(changed, [...findings.values()]));
    // Assess
    expect(markdown).toContain(
      '| 2026-11-20 03:20:00 | Analysis alarm-shop-0002: root cause changed from payment-service to api.payments.example.com |',
    );
  });

  it('should keep a hostile name from breaking a table, forging a link or a heading', () => {
    // Prepare
    const { incident, findings } = shopRecordedIncident();
    const evil = 'x|y](javascript:alert(1))\n## Forged <img src=x>';
    const hostile: Incident = {
      ...incident,
      alarms: incident.alarms.map((a) => ({ ...a, alarmName: evil, service: evil })),
    };
    // Act
    const markdown = renderPostmortemMarkdown(postmortemDraft(hostile, [...findings.values()]));
    // Assess
    expect(markdown).not.toContain('\n## Forged');
    // Escaped, so shown as text: no unescaped `<` or `]` (a link's end) is left of the name.
    expect(markdown).not.toMatch(/(?<!\\)<img/);
    expect(markdown).not.toMatch(/(?<!\\)\]\(javascript:/);
    expect(markdown).toContain('x\\|y\\](javascript:alert(1)) ## Forged \\<img src=x\\>');
    for (const row of tableRows(markdown, 'Impact')) expect(row.split(/(?<!\\)\|/)).toHaveLength(7);
  });

  it('should still draft the timeline and alarms when no finding is stored', () => {
    // Prepare
    const { incident } = shopRecordedIncident();
    // Act
    const markdown = renderPostmortemMarkdown(postmortemDraft(incident, []));
    // Assess
    expect(markdown).toContain('## Timeline (UTC)');
    expect(markdown).toContain('First alarm: cascade-analyzer-frontend-fault-rate on frontend');
    expect(markdown).toContain('No analysis of this incident is stored.');
    expect(markdown).toContain('Nothing: the analysis recommended no action.');
  });
});
