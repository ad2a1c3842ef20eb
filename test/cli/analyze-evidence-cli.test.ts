// `analyze --traces/--changes/--exemplars`: the shipped shop evidence lands in the finding, and a
// bad evidence file is bad input (exit 2, one line naming the file and the field).

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/model.ts';
import { cli, EXAMPLE, ROOT } from '../support/cli.ts';

const TRACES = join(ROOT, 'examples/shop-traces.json');
const CHANGES = join(ROOT, 'examples/shop-changes.json');
const EXEMPLARS = join(ROOT, 'examples/shop-exemplars.json');
const tmp = mkdtempSync(join(tmpdir(), 'cascade-evidence-cli-'));
const file = (name: string, content: unknown) => {
  const p = join(tmp, name);
  writeFileSync(p, typeof content === 'string' ? content : JSON.stringify(content));
  return p;
};

describe('CLI: analyze with evidence', () => {
  it('should add X-Ray exceptions, linked exemplars, the exemplar detail and the changes to the finding', () => {
    // Act
    const r = cli(
      'analyze',
      '--graph',
      EXAMPLE,
      '--traces',
      TRACES,
      '--changes',
      CHANGES,
      '--exemplars',
      EXEMPLARS,
      '--region',
      'eu-west-1',
      '--format',
      'json',
    );
    // Assess
    expect(r.code).toBe(0);
    const f = JSON.parse(r.stdout) as Finding;
    const top = f.rootCauses[0];
    expect(top?.service).toBe('api.payments.example.com');
    expect(top?.traces?.exceptions[0]).toEqual({ name: 'PaymentGatewayError', count: 28 });
    expect(top?.traces?.exemplars).toHaveLength(3);
    expect(top?.traces?.exemplars[0]?.url).toMatch(
      /^https:\/\/eu-west-1\.console\.aws\.amazon\.com\/cloudwatch\//,
    );
    expect(top?.traces?.detail).toMatchObject({
      exception: 'PaymentGatewayError',
      operation: 'POST /v2/charges',
    });
    expect(f.changes?.[0]).toMatchObject({
      minutesBeforeStart: 4,
      services: ['payment-service'],
      who: 'deploy-pipeline',
    });
    expect(f.evidenceNotes?.map((n) => n.kind)).toEqual(['traces-agree', 'change-near-start']);
  });

  it('should give the graph-only finding, byte for byte, without evidence flags', () => {
    // Act
    const plain = cli('analyze', '--graph', EXAMPLE, '--format', 'json');
    const region = cli('analyze', '--graph', EXAMPLE, '--format', 'json', '--region', 'eu-west-1');
    // Assess
    expect(region.stdout).toBe(plain.stdout);
  });

  const cases: [string, () => string[], RegExp][] = [
    [
      'a missing --traces file',
      () => ['--traces', join(tmp, 'nope.json')],
      /cannot read "[^"]*nope\.json": no such file/,
    ],
    ['a --traces file that is not JSON', () => ['--traces', file('t.json', '{')], /t\.json: not valid JSON/],
    [
      'a service graph given as --traces',
      () => ['--traces', EXAMPLE],
      /shop-incident\.json: not a GetTraceSummaries response: expected an object with a "TraceSummaries" list/,
    ],
    [
      'a trace summary without an id',
      () => ['--traces', file('noid.json', { TraceSummaries: [{ HasFault: true }] })],
      /noid\.json: TraceSummaries\[0\]\.Id: missing/,
    ],
    [
      'a root cause with a bad name',
      () => [
        '--traces',
        file('rc.json', { TraceSummaries: [{ Id: '1-a', ErrorRootCauses: [{ Services: [{ Name: 1 }] }] }] }),
      ],
      /rc\.json: TraceSummaries\[0\]\.ErrorRootCauses\[0\]\.Services\[0\]\.Name: expected a string/,
    ],
    [
      'trace summaries given as --changes',
      () => ['--changes', TRACES],
      /shop-traces\.json: not a CloudTrail LookupEvents response/,
    ],
    [
      'a change event without a time',
      () => ['--changes', file('c.json', { Events: [{ EventName: 'UpdateService' }] })],
      /c\.json: Events\[0\]\.EventTime: missing/,
    ],
    [
      'an --exemplars file with a broken segment document',
      () => ['--exemplars', file('x.json', { Traces: [{ Id: '1-a', Segments: [{ Document: '{' }] }] })],
      /x\.json: Traces\[0\]\.Segments\[0\]\.Document: expected a segment document/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`should exit 2 with one clear line for ${what}`, () => {
      // Act
      const r = cli('analyze', '--graph', EXAMPLE, ...args());
      // Assess
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }
});
