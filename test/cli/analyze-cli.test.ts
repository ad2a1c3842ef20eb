import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/model.ts';
import { cli, EXAMPLE } from '../support/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'cascade-cli-'));
function file(name: string, content: string): string {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
}

describe('CLI: analyze', () => {
  it('should name the external payment API as root cause of the shipped example, path to users included', () => {
    // Act
    const r = cli('analyze', '--graph', EXAMPLE);
    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ROOT CAUSE\s+api\.payments\.example\.com/);
    expect(r.stdout).toMatch(
      /api\.payments\.example\.com\s+→\s+payment-service\s+→\s+order-service\s+→\s+frontend/,
    );
    expect(r.stdout).toMatch(/^FIRST STEP {2}Put a circuit breaker in payment-service/m);
  });

  it('should print exactly one Finding that parses with --format json', () => {
    // Act
    const r = cli('analyze', '--graph', EXAMPLE, '--format', 'json');
    // Assess
    expect(r.code).toBe(0);
    const finding = JSON.parse(r.stdout) as Finding;
    expect(finding.status).toBe('COMPLETED');
    expect(finding.rootCauses[0]?.service).toBe('api.payments.example.com');
    const affected = finding.rootCauses[0]?.blastRadius.affected ?? [];
    expect(affected).toEqual(expect.arrayContaining(['payment-service', 'order-service', 'frontend']));
    expect(finding.services.find((s) => s.service === 'user-service')?.role).toBe('healthy');
  });

  it('should scope the analysis to the alarmed service with --service', () => {
    // Act
    const r = cli('analyze', '--graph', EXAMPLE, '--service', 'order-service', '--format', 'json');
    // Assess
    const finding = JSON.parse(r.stdout) as Finding;
    expect(finding.trigger.service).toBe('order-service');
    expect(finding.dependencyChain[0]?.service).toBe('order-service');
    expect(finding.services.map((s) => s.service)).not.toContain('frontend');
  });

  it('should write the report to --out and say where', () => {
    // Act
    const out = join(tmp, 'finding.json');
    const r = cli('analyze', '--graph', EXAMPLE, '--format', 'json', '--out', out);
    // Assess
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(out);
  });

  it('should show help for analyze with every option', () => {
    const r = cli('analyze', '--help');
    expect(r.code).toBe(0);
    for (const opt of ['--graph', '--baseline', '--service', '--method', '--format', '--out', '--set']) {
      expect(r.stdout).toContain(opt);
    }
  });
});

describe('CLI: bad input', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['a missing file', () => ['analyze', '--graph', join(tmp, 'nope.json')], /nope\.json.*no such file/],
    [
      'a non-JSON file',
      () => ['analyze', '--graph', file('bad.json', '{ not json')],
      /bad\.json: not valid JSON/,
    ],
    [
      'a JSON file that is not a service graph',
      () => ['analyze', '--graph', file('other.json', '{"hello": 1}')],
      /other\.json: not a service graph/,
    ],
    [
      'a trace capture instead of a service graph',
      () => ['analyze', '--graph', file('traces.json', '{"Traces": []}')],
      /traces\.json: this is a BatchGetTraces response/,
    ],
    [
      'a field of the wrong type',
      () => [
        'analyze',
        '--graph',
        file(
          'field.json',
          JSON.stringify({
            Services: [{ ReferenceId: 0, Name: 'a', SummaryStatistics: { TotalCount: 'x' } }],
          }),
        ),
      ],
      /field\.json: Services\[0\]\.SummaryStatistics\.TotalCount: expected a number/,
    ],
    [
      'an unknown --service',
      () => ['analyze', '--graph', EXAMPLE, '--service', 'nosuch'],
      /--service: service "nosuch" is not in the graph/,
    ],
    [
      'an unknown --method',
      () => ['analyze', '--graph', EXAMPLE, '--method', 'magic'],
      /--method must be one of/,
    ],
    ['an unknown --format', () => ['analyze', '--graph', EXAMPLE, '--format', 'pdf'], /--format must be/],
    [
      'a bad --set',
      () => ['analyze', '--graph', EXAMPLE, '--set', 'faultRate=abc'],
      /--set faultRate: expected a number/,
    ],
    ['an unknown command', () => ['analyse'], /unknown command "analyse"/],
    ['no --graph', () => ['analyze'], /--graph FILE is required/],
  ];
  for (const [what, args, message] of cases) {
    it(`should exit 2 with one clear line for ${what}`, () => {
      // Act
      const r = cli(...args());
      // Assess
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
