import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/model.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const EXAMPLE = join(ROOT, 'examples/shop-incident.json');
const run = promisify(execFile);

/** Runs the CLI as a user does; the runs are independent, so tests start them concurrently. */
async function cli(...args: string[]) {
  try {
    const r = await run(process.execPath, [join(ROOT, 'bin/cascade-analyzer.mjs'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 26,
    });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const tmp = mkdtempSync(join(tmpdir(), 'cascade-simulate-'));

describe.concurrent('CLI: simulate', () => {
  it('should write a snapshot that analyze reads, naming the injected fault as root cause', async () => {
    // Act
    const out = join(tmp, 'boutique.json');
    const sim = await cli(
      'simulate',
      '--topology',
      'online-boutique',
      '--fault',
      'productcatalogservice:latency:x6',
      '--seed',
      '3',
      '--pages',
      '2',
      '--out',
      out,
    );
    const analyzed = await cli('analyze', '--graph', out, '--format', 'json');
    // Assess
    expect(sim.code).toBe(0);
    expect(sim.stdout).toBe('');
    expect(sim.stderr).toMatch(
      /simulated topology online-boutique \(11 services.*productcatalogservice is 6× slower; wrote/,
    );
    const snapshot = JSON.parse(readFileSync(out, 'utf8')) as { incident: unknown[]; baseline: unknown[] };
    expect(snapshot.incident).toHaveLength(2);
    expect(analyzed.code).toBe(0);
    expect((JSON.parse(analyzed.stdout) as Finding).rootCauses[0]?.service).toBe('productcatalogservice');
  });

  it('should write trace summaries consistent with the snapshot, which analyze weighs with it', async () => {
    // Act
    const out = join(tmp, 'shop-error.json');
    const traces = join(tmp, 'shop-error-traces.json');
    const sim = await cli(
      'simulate',
      '--topology',
      'shop',
      '--fault',
      'inventory-db:error:0.3',
      '--out',
      out,
      '--traces',
      traces,
    );
    const analyzed = await cli('analyze', '--graph', out, '--traces', traces, '--format', 'json');
    // Assess
    expect(sim.code).toBe(0);
    const summaries = (JSON.parse(readFileSync(traces, 'utf8')) as { TraceSummaries: unknown[] })
      .TraceSummaries;
    expect(summaries).toHaveLength(40);
    const f = JSON.parse(analyzed.stdout) as Finding;
    expect(f.rootCauses[0]?.service).toBe('inventory-db');
    expect(f.rootCauses[0]?.traces?.exceptions[0]?.name).toBe('InternalServerError');
    expect(f.evidenceNotes?.[0]?.kind).toBe('traces-agree');
  });

  it('should print the what-if on the shop example: the payment API down hits frontend, order-service and payment-service', async () => {
    // Act
    const r = await cli(
      'simulate',
      '--from-graph',
      EXAMPLE,
      '--fault',
      'api.payments.example.com:unavailable',
    );
    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/affected \(3\): payment-service, order-service, frontend/);
    expect(r.stdout).toMatch(/users' requests that reach the fault:\s+(39|40|41)\.\d %/);
    expect(r.stdout).toMatch(/entry points hit \(1\): frontend/);
    expect(r.stdout).toMatch(/root cause\s+api\.payments\.example\.com, an external dependency/);
  });
});

describe.concurrent('CLI: simulate, bad input', () => {
  const badTopology = join(tmp, 'bad-topology.json');
  writeFileSync(
    badTopology,
    JSON.stringify({
      name: 'x',
      traffic: 5,
      services: [{ name: 'a', type: 'AWS::ECS::Container', entry: 1, latency: { median: 0.01, p99: 0.001 } }],
    }),
  );
  const cases: [string, string[], RegExp][] = [
    [
      'an unknown topology',
      ['simulate', '--topology', 'netflix', '--out', join(tmp, 'x.json')],
      /unknown topology "netflix"; built in: shop, online-boutique/,
    ],
    [
      'an unknown service',
      ['simulate', '--topology', 'shop', '--fault', 'paymnt-service:error'],
      /no service "paymnt-service" in topology "shop"; did you mean "payment-service"\?/,
    ],
    [
      'bad fault syntax',
      ['simulate', '--topology', 'shop', '--fault', 'payment-service/error'],
      /--fault "payment-service\/error": expected SERVICE:KIND\[:SEVERITY\]/,
    ],
    [
      'an impossible severity',
      ['simulate', '--topology', 'shop', '--fault', 'payment-service:error:1.5'],
      /impossible severity 1\.5: the share of requests that fail must be above 0 and at most 1/,
    ],
    [
      'a bad topology file',
      ['simulate', '--topology', badTopology],
      /bad-topology\.json: services\[0\]\.latency: p99 must be ≥ median/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`should exit 2 with one clear line for ${what}`, async () => {
      // Act
      const r = await cli(...args);
      // Assess
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
