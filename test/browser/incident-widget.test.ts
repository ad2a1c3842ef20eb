// The incident dashboard's custom widget in a real browser (Debian chromium via playwright-core):
// the handler gets the event CloudWatch sends a custom widget (its parameters, and a widgetContext
// as AWS documents it), and its HTML is put inside a host page standing for the dashboard. The
// chosen incident's report must be there (cascade drawn, root cause, evidence, what to do), within
// the widget's budget, styled inside its own box only; an unknown or malformed id gets a clear
// message and the open incidents, never a script.

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SweepIncidentRow } from '../../lambdas/adapters/outbox-sweep-list.ts';
import type { Incident } from '../../lambdas/core/incidents/model.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import {
  type IncidentConsoleDeps,
  incidentConsole,
  WIDGET_DOCS,
} from '../../lambdas/handlers/incident-console.ts';
import { consoleDashboardUrl } from '../../lambdas/report/console-link.ts';
import {
  LAMBDA_RESPONSE_LIMIT_BYTES,
  renderIncidentWidget,
  WIDGET_BUDGET_BYTES,
  widgetRow,
} from '../../lambdas/report/widget.ts';
import { generatedIncident } from '../report/fixtures.ts';
import { shopRecordedIncident } from '../report/incident-fixtures.ts';
import { type Browser, chromiumAvailable, launchChromium } from './chromium.ts';

const available = chromiumAvailable();

const DASHBOARD = { region: 'eu-west-1', dashboardName: 'CascadeAnalyzer-incidents' };

/** The event CloudWatch sends a custom widget (AWS docs, "Details about custom widgets"). */
function widgetEvent(incident: string): Record<string, unknown> {
  return {
    incident,
    widgetContext: {
      dashboardName: DASHBOARD.dashboardName,
      widgetId: 'widget-2',
      accountId: '111122223333',
      locale: 'en',
      timezone: { label: 'UTC', offsetISO: '+00:00', offsetInMinutes: 0 },
      period: 300,
      isAutoPeriod: true,
      timeRange: {
        mode: 'relative',
        start: 1763607600000,
        end: 1763694000000,
        relativeStart: 86400012,
        zoom: { start: 1763607600000, end: 1763694000000 },
      },
      theme: 'light',
      linkCharts: true,
      title: 'Incident',
      forms: { all: {} },
      params: { incident },
      width: 1180,
      height: 1800,
    },
  };
}

/** The shop demo's incident while it is open, and its finding, behind in-memory ports. */
function shopDeps(): { deps: IncidentConsoleDeps; incident: Incident; finding: Finding } {
  const recorded = shopRecordedIncident();
  const { resolvedAt: _resolved, ...rest } = recorded.incident;
  const incident: Incident = {
    ...rest,
    status: 'OPEN',
    alarms: rest.alarms.map(({ okAt: _ok, ...a }) => ({ ...a, state: 'ALARM' as const })),
  };
  const rows: SweepIncidentRow[] = [
    { incidentId: incident.incidentId, status: 'OPEN', lastActivityAt: incident.lastActivityAt },
  ];
  return {
    incident,
    finding: recorded.current,
    deps: {
      incidents: { get: async (id) => (id === incident.incidentId ? incident : undefined) },
      findings: { get: async (id) => recorded.findings.get(id) },
      work: { incidents: async () => rows },
      dashboard: DASHBOARD,
    },
  };
}

/** A page standing for the dashboard: its own styles around the widget's HTML. */
function hostPage(widget: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>
body{font-family:serif;color:rgb(1,2,3)}h2.host{color:rgb(10,20,30)}table.host td{border:7px solid rgb(200,0,0)}
</style></head><body><h2 class="host">CloudWatch dashboard</h2><div id="widget">${widget}</div>
<table class="host"><tr><td>host</td></tr></table></body></html>`;
}

interface Shown {
  readonly page: Page;
  readonly problems: string[];
  readonly requests: string[];
  readonly dialogs: string[];
}

describe.runIf(available)('Browser: the incident dashboard widget in Debian chromium', () => {
  let browser: Browser;
  let shots: string;

  beforeAll(async () => {
    browser = await launchChromium({ width: 1200, height: 1000 });
    shots = mkdtempSync(join(tmpdir(), 'cascade-widget-screenshots-'));
    console.info(`widget screenshots: ${shots}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  async function show(html: string): Promise<Shown> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.setContent(hostPage(html), { waitUntil: 'load' });
    return { page, problems, requests, dialogs };
  }

  it('should show the chosen incident: its report with the cascade drawn, root cause, evidence and what to do, within the budget', async () => {
    // Prepare
    const { deps, incident, finding } = shopDeps();
    // Act
    const html = await incidentConsole(widgetEvent(incident.incidentId), deps);
    const shown = await show(html);
    const { page } = shown;
    await page.screenshot({ path: join(shots, 'shop-widget.png'), fullPage: true });
    // Assess: within the budget, and far within Lambda's response as a JSON string.
    expect(Buffer.byteLength(html)).toBeLessThanOrEqual(WIDGET_BUDGET_BYTES);
    expect(Buffer.byteLength(JSON.stringify(html))).toBeLessThan(LAMBDA_RESPONSE_LIMIT_BYTES);
    expect(shown.problems).toEqual([]);
    expect(shown.requests).toEqual([]);
    const widget = page.locator('.cascade-widget');
    await expect(widget.locator('.incident-head h2').textContent()).resolves.toBe(
      `Incident ${incident.incidentId} · OPEN`,
    );
    await expect(widget.locator('.verdict .root-cause-name').textContent()).resolves.toBe(
      'api.payments.example.com',
    );
    const origin = widget.locator('svg.cascade g.node.role-origin');
    await origin.scrollIntoViewIfNeeded();
    expect(await origin.isVisible()).toBe(true);
    const box = await widget.locator('svg.cascade').boundingBox();
    expect(box?.width ?? 0).toBeGreaterThan(300);
    const text = (await widget.textContent()) ?? '';
    expect(text).toContain('failure rate 15.3 % over 21708 requests, baseline 0.2 %');
    expect(text).toContain('PaymentGatewayError');
    expect(text).toContain('put a circuit breaker in payment-service');
    // The link a message carries for this incident, shown to share.
    const link = consoleDashboardUrl(DASHBOARD, incident.incidentId);
    await expect(widget.locator('.share a').getAttribute('href')).resolves.toBe(link);
    await expect(widget.locator('table.open tr.chosen a').getAttribute('href')).resolves.toBe(link);
    // Its style stays in its box: the dashboard's own heading and table keep theirs.
    const host = await page.evaluate(() => {
      const doc = (globalThis as unknown as { document: { querySelector(s: string): unknown } }).document;
      const style = (el: unknown) =>
        (
          globalThis as unknown as {
            getComputedStyle(e: unknown): { color: string; borderTopWidth: string; fontFamily: string };
          }
        ).getComputedStyle(el);
      return {
        heading: style(doc.querySelector('h2.host')).color,
        cell: style(doc.querySelector('table.host td')).borderTopWidth,
        body: style(doc.querySelector('body')).fontFamily,
      };
    });
    expect(host).toEqual({ heading: 'rgb(10, 20, 30)', cell: '7px', body: 'serif' });
    expect(finding.rootCauses[0]?.service).toBe('api.payments.example.com');
    await page.close();
  }, 120_000);

  it('should say an unknown incident is not stored, and a value that is no incident id what it is, with the open incidents below', async () => {
    // Prepare
    const { deps, incident } = shopDeps();
    // Act
    const unknown = await show(await incidentConsole(widgetEvent('inc-000000000000000000000000'), deps));
    const hostile = await show(
      await incidentConsole(widgetEvent('<img src=x onerror=alert(1)><script>alert(2)</script>'), deps),
    );
    // Assess
    const problem = (s: Shown) => s.page.locator('.cascade-widget .problem').first().textContent();
    await expect(problem(unknown)).resolves.toContain('No incident inc-000000000000000000000000 is stored');
    await expect(problem(hostile)).resolves.toContain('which is not an incident id');
    for (const s of [unknown, hostile]) {
      await expect(s.page.locator('table.open tbody tr').count()).resolves.toBe(1);
      await expect(s.page.locator('table.open a').textContent()).resolves.toBe(incident.incidentId);
      expect(await s.page.locator('.verdict').count()).toBe(0);
    }
    expect(hostile.dialogs).toEqual([]);
    expect(hostile.requests).toEqual([]);
    expect(await hostile.page.locator('#widget img, #widget script').count()).toBe(0);
    await unknown.page.close();
    await hostile.page.close();
  }, 120_000);

  it('should open the oldest open incident when the URL sets none, and list nothing but a note when none is open', async () => {
    // Prepare
    const { deps, incident } = shopDeps();
    const none: IncidentConsoleDeps = { ...deps, work: { incidents: async () => [] } };
    // Act
    const first = await show(await incidentConsole(widgetEvent('open-incidents'), deps));
    const empty = await show(await incidentConsole(widgetEvent('open-incidents'), none));
    // Assess
    await expect(first.page.locator('.incident-head h2').textContent()).resolves.toContain(
      incident.incidentId,
    );
    await expect(empty.page.locator('.cascade-widget').textContent()).resolves.toContain('No open incidents');
    await first.page.close();
    await empty.page.close();
  }, 120_000);

  it('should fold a big incident to fit a smaller budget, and still draw its root cause', async () => {
    // Prepare: a 1,000-service incident, and a budget its whole report does not fit.
    const big = generatedIncident(1000);
    const { incident } = shopDeps();
    const budget = 60 * 1024;
    const view = {
      dashboard: DASHBOARD,
      open: [widgetRow(incident)],
      selected: { incident, finding: big.finding },
    };
    const whole = await renderIncidentWidget(view);
    // Act
    const folded = await renderIncidentWidget({ ...view, budgetBytes: budget });
    const shown = await show(folded);
    await shown.page.screenshot({ path: join(shots, 'big-widget.png'), fullPage: true });
    // Assess
    expect(Buffer.byteLength(whole)).toBeGreaterThan(budget);
    expect(Buffer.byteLength(whole)).toBeLessThanOrEqual(WIDGET_BUDGET_BYTES);
    expect(Buffer.byteLength(folded)).toBeLessThanOrEqual(budget);
    await expect(shown.page.locator('.widget-folded').textContent()).resolves.toContain(
      'Folded to fit the widget',
    );
    await expect(shown.page.locator('.verdict .root-cause-name').textContent()).resolves.toBe(big.rootCause);
    expect(shown.problems).toEqual([]);
    await shown.page.close();
  }, 120_000);

  it('should answer the console\'s "describe" call with the widget\'s documentation', async () => {
    // Act
    const doc = await incidentConsole({ describe: true }, shopDeps().deps);
    // Assess
    expect(doc).toBe(WIDGET_DOCS);
    expect(doc).toContain('**incident**');
  });
});
