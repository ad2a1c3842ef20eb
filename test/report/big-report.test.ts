// The report of a big incident stays a few screens long (issue 19): on the 1,000-service demo the
// chain is folded to the calls from the alarmed service down to the root cause, and the services
// table lists the origin first and at most 25 degraded services; both say what they folded.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import type { Finding, GraphSnapshot } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { simulatedScenarios } from '../../lambdas/local/simulated-scenarios.ts';
import { buildCascadeView } from '../../lambdas/report/cascade-view.ts';
import { renderHtml } from '../../lambdas/report/html.ts';

async function bigIncident(): Promise<{ finding: Finding; snapshot: GraphSnapshot }> {
  const scenario = await simulatedScenarios.scenario('generated-1000');
  if (!scenario) throw new Error('no generated-1000 scenario');
  const snapshot = parseSnapshot(scenario.snapshot);
  const finding = analyze(snapshot, {
    analysisId: 'alarm-generated-1000',
    service: scenario.alarmedService,
    trigger: { source: 'alarm', service: scenario.alarmedService },
  });
  return { finding, snapshot };
}

const section = (html: string, id: string): string =>
  new RegExp(`<section id="${id}">([\\s\\S]*?)</section>`).exec(html)?.[1] ?? '';

describe('Function: renderHtml (a big incident)', () => {
  it('should fold the chain to the calls down to the root cause, each row under its caller', async () => {
    // Prepare
    const { finding, snapshot } = await bigIncident();
    expect(finding.dependencyChain.length).toBeGreaterThan(100);
    // Act
    const html = await renderHtml(finding, { graph: snapshot.incident });
    // Assess
    const chain = section(html, 'chain');
    const rows = [
      ...chain.matchAll(
        /<td class="depth-\d">([^<]+)<\/td><td>[^<]*<\/td><td>([^<]+)<\/td><td class="n">(\d+)<\/td>/g,
      ),
    ].map((m) => ({ service: m[1] as string, parent: m[2] as string, depth: Number(m[3]) }));
    expect(rows.length).toBeLessThanOrEqual(12);
    expect(rows.at(-1)?.service).toBe(finding.rootCauses[0]?.service);
    rows.forEach((r, i) => {
      if (i === 0) expect(r.depth).toBe(0);
      else expect([rows[i - 1]?.service, r.depth - 1]).toEqual([r.parent, rows[i - 1]?.depth]);
    });
    expect(chain).toContain(`The chain holds ${finding.dependencyChain.length} services`);
  });

  it('should list the origin first and at most 25 degraded services, counting the rest', async () => {
    // Prepare
    const { finding, snapshot } = await bigIncident();
    const degraded = finding.services.filter((s) => s.role !== 'healthy').length;
    expect(degraded).toBeGreaterThan(25);
    // Act
    const html = await renderHtml(finding, { graph: snapshot.incident });
    // Assess
    const services = section(html, 'services');
    const roles = [...services.matchAll(/<span class="role role-(\w+)">/g)].map((m) => m[1]);
    expect(roles).toHaveLength(25);
    expect(roles[0]).toBe('origin');
    expect(services).toContain(`… and ${degraded - 25} more degraded services`);
    expect((html.match(/<tr/g) ?? []).length).toBeLessThanOrEqual(45);
  });

  it('should draw every service of the picture reached from the users: none hangs without a caller', async () => {
    // Prepare
    const { finding, snapshot } = await bigIncident();
    // Act
    const view = buildCascadeView(finding, snapshot.incident);
    // Assess
    const services = view.nodes.filter((n) => n.kind === 'service');
    expect(services.length).toBeLessThan(finding.services.length);
    const called = new Set(view.edges.filter((e) => e.kind !== 'collapsed').map((e) => e.to));
    const hanging = services.filter((n) => !called.has(n.id)).map((n) => n.label);
    expect(hanging).toEqual([]);
    const origin = services.find((n) => n.rootCauseRank === 1);
    expect(origin?.label).toBe(finding.rootCauses[0]?.service);
  });
});
