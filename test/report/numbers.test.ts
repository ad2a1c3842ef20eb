// One number per fact (issue 19): a service's failure rate reads the same in the engine's evidence,
// the text table, the e-mail, the HTML tables and the picture, on the shop example and the storm.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import type { Finding, ServiceHealth } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { stormScenario } from '../../lambdas/local/storm-scenario.ts';
import { formatEmailText } from '../../lambdas/report/email.ts';
import { renderHtml } from '../../lambdas/report/html.ts';
import { failureRate, percent } from '../../lambdas/report/numbers.ts';
import { renderText } from '../../lambdas/report/text.ts';
import { shopIncident } from './fixtures.ts';

function stormFinding(): Finding {
  const snapshot = parseSnapshot(stormScenario().snapshot);
  return analyze(snapshot, {
    analysisId: 'alarm-storm-0001',
    service: 'ledger',
    trigger: { source: 'alarm', service: 'ledger', alarmName: 'cascade-analyzer-ledger-fault-rate' },
  });
}

const CASES: readonly { name: string; finding: () => Finding }[] = [
  { name: 'the shop example', finding: () => shopIncident().finding },
  { name: 'the storm', finding: stormFinding },
];

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The failure rate and baseline a root cause's evidence states, as printed. */
function evidenceFigures(f: Finding, service: string): { now: string; baseline: string } {
  const rc = f.rootCauses.find((r) => r.service === service);
  const line = rc?.evidence.find((e) => e.text.startsWith('failure rate'))?.text ?? '';
  const m = /^failure rate (\d+\.\d %) over \d+ requests, baseline (\d+\.\d %)/.exec(line);
  if (!m) throw new Error(`no failure-rate evidence for ${service}: ${line}`);
  return { now: m[1] as string, baseline: m[2] as string };
}

/** The text report's SERVICES row of a service: `15.3 % (0.2 %)`. */
function textRow(text: string, s: ServiceHealth): string {
  const row = text
    .split('\n')
    .find((l) => new RegExp(`^  [a-z]+(?: [a-z]+)?\\s+${escapeRegExp(s.service)}\\s`).test(l));
  if (!row) throw new Error(`no row for ${s.service} in\n${text}`);
  const m = /(\d+\.\d %) \((\d+\.\d %)\)\s+\S+ m?s \(/.exec(row);
  if (!m) throw new Error(`no failure column in ${row}`);
  return `${m[1]} (${m[2]})`;
}

/** The HTML services table's row of a service: `15.3 % (0.2 %)`. */
function htmlRow(html: string, s: ServiceHealth): string {
  const row = new RegExp(
    `<tr class="anomalous"><td>${escapeRegExp(s.service)}</td>.*?<td class="n failed">([^<]+)</td><td class="n failed-before">([^<]+)</td>`,
  ).exec(html);
  if (!row) throw new Error(`no HTML row for ${s.service}`);
  return `${row[1]} (${row[2]})`;
}

describe('Function: percent', () => {
  it('should round the decimal value half up, whatever its binary form', () => {
    // Prepare: 0.0015 and 0.1525 are a little less in binary, so toFixed rounds them down.
    // Act
    const shown = [percent(0.0015), percent(0.1525), percent(0.152 + 0.0005), percent(0.99, 0), percent(0)];
    // Assess
    expect(shown).toEqual(['0.2 %', '15.3 %', '15.3 %', '99 %', '0.0 %']);
  });

  it('should count 5xx and 429 together, as the evidence does', () => {
    // Act
    const rate = failureRate({ faultRate: 0.152, throttleRate: 0.0005 });
    // Assess
    expect(percent(rate)).toBe('15.3 %');
  });
});

describe('Reports: one number per fact', () => {
  for (const c of CASES) {
    it(`should give the root cause's failure rate one value in the evidence, the tables, the e-mail and the picture on ${c.name}`, async () => {
      // Prepare
      const f = c.finding();
      const top = f.rootCauses[0];
      expect(top).toBeDefined();
      const service = f.services.find((s) => s.service === top?.service) as ServiceHealth;
      const stated = evidenceFigures(f, service.service);
      // Act
      const text = renderText(f);
      const email = formatEmailText(f, `/analyses/${f.analysisId}/report`);
      const html = await renderHtml(f);
      // Assess
      expect(textRow(text, service)).toBe(`${stated.now} (${stated.baseline})`);
      expect(htmlRow(html, service)).toBe(`${stated.now} (${stated.baseline})`);
      expect(email).toContain(`failure rate ${stated.now} over`);
      expect(email).toContain(`baseline ${stated.baseline}`);
      // The picture's label of the root cause.
      expect(html).toContain(`>failed ${stated.now} · p99`);
    });

    it(`should show every service in the text table and the HTML table with the same numbers on ${c.name}`, async () => {
      // Prepare
      const f = c.finding();
      // Act
      const text = renderText(f);
      const html = await renderHtml(f);
      // Assess
      const degraded = f.services.filter((s) => s.role !== 'healthy');
      expect(degraded.length).toBeGreaterThan(1);
      for (const s of degraded.slice(0, 15)) expect(textRow(text, s), s.service).toBe(htmlRow(html, s));
    });
  }
});

describe('Text report: the services table', () => {
  it('should keep a space between the request count and the widest failure figures', () => {
    // Prepare: a degraded service that is no root cause (its own figures fill the row), with 22,222
    // requests failing 100 % now and 100 % in the baseline
    const f = shopIncident().finding;
    const s = f.services.find(
      (x) => x.role !== 'healthy' && !f.rootCauses.some((r) => r.service === x.service),
    ) as ServiceHealth;
    const worst: ServiceHealth = {
      ...s,
      requests: 22222,
      faultRate: 1,
      throttleRate: 0,
      ...(s.baseline ? { baseline: { ...s.baseline, faultRate: 1, throttleRate: 0 } } : {}),
    };
    const finding: Finding = { ...f, services: f.services.map((x) => (x === s ? worst : x)) };

    // Act
    const row = renderText(finding)
      .split('\n')
      .find((l) => l.includes(` ${s.service} `) && l.includes('22222'));

    // Assess
    expect(row).toMatch(/ 22222 +100\.0 % \(100\.0 %\) /);
  });
});
