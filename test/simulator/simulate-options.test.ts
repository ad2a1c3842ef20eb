import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../bin/cascade-analyzer.ts';

/** Runs the CLI in-process (the spawned runs live in simulate-cli.test.ts) and collects what it prints. */
async function cli(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => out.push(String(s)) > 0);
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => err.push(String(s)) > 0);
  const code = await main(args);
  vi.restoreAllMocks();
  return { code, stdout: out.join(''), stderr: err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('CLI: simulate options', () => {
  const cases: [string, string[], RegExp][] = [
    ['no topology', ['simulate'], /--topology NAME\|FILE or --from-graph FILE is required/],
    [
      'both sources',
      ['simulate', '--topology', 'shop', '--from-graph', 'x.json', '--fault', 'a:error'],
      /either --topology or --from-graph/,
    ],
    [
      'a what-if without faults',
      ['simulate', '--from-graph', 'examples/shop-incident.json'],
      /needs at least one --fault/,
    ],
    ['an unknown option', ['simulate', '--topology', 'shop', '--bogus'], /Unknown option '--bogus'/],
    [
      'a negative traffic',
      ['simulate', '--topology', 'shop', '--traffic=-3'],
      /--traffic must be a number of requests per second above 0/,
    ],
    [
      'a fractional seed',
      ['simulate', '--topology', 'shop', '--seed', '1.5'],
      /--seed must be a whole number/,
    ],
    [
      'too many pages',
      ['simulate', '--topology', 'shop', '--pages', '99'],
      /--pages must be a whole number from 1 to 9/,
    ],
    [
      '--services on a named topology',
      ['simulate', '--topology', 'shop', '--services', '50'],
      /--services applies to the generated topology only/,
    ],
    [
      'too many services',
      ['simulate', '--topology', 'generated', '--services', '20001'],
      /--services must be a whole number from 10 to 20000/,
    ],
    [
      'a pass-on share above 1',
      ['simulate', '--topology', 'shop', '--pass-on', '2'],
      /--pass-on must be a share from 0 to 1/,
    ],
    [
      'too many retries',
      ['simulate', '--topology', 'shop', '--retries', '11'],
      /--retries must be a whole number from 0 to 10/,
    ],
    [
      'a bad start time',
      ['simulate', '--topology', 'shop', '--start', 'yesterday'],
      /--start must be ISO-8601 or epoch seconds/,
    ],
    [
      'a report format without a what-if',
      ['simulate', '--topology', 'shop', '--format', 'json'],
      /--format applies to the what-if report/,
    ],
    [
      'a missing topology file',
      ['simulate', '--topology', 'no/such.json'],
      /cannot read topology file "no\/such\.json": no such file/,
    ],
    [
      'an unknown service in an exported graph',
      ['simulate', '--from-graph', 'examples/shop-incident.json', '--fault', 'nosuch:error'],
      /no service "nosuch".*--list --from-graph examples\/shop-incident\.json/,
    ],
    [
      'a fault kind given twice',
      ['simulate', '--topology', 'shop', '--fault', 'users:error', '--fault', 'users:error:0.5'],
      /users already has an error fault/,
    ],
  ];
  for (const [what, args, message] of cases) {
    it(`should exit 2 with one line for ${what}`, async () => {
      // Act
      const r = await cli(...args);
      // Assess
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
    });
  }

  it('should document every option in --help', async () => {
    // Act
    const r = await cli('simulate', '--help');
    // Assess
    expect(r.code).toBe(0);
    for (const opt of [
      '--topology',
      '--services',
      '--from-graph',
      '--list',
      '--fault',
      '--pass-on',
      '--retries',
      '--timeout',
      '--traffic',
      '--seed',
      '--start',
      '--minutes',
      '--baseline-minutes',
      '--out',
      '--pages',
      '--what-if',
      '--format',
    ]) {
      expect(r.stdout, opt).toContain(opt);
    }
    for (const kind of ['error', 'latency', 'throttle', 'unavailable', 'saturation'])
      expect(r.stdout).toContain(kind);
    expect((await cli('help', 'simulate')).stdout).toBe(r.stdout);
  });

  it('should list the shipped topologies and the services of one', async () => {
    // Act
    const all = await cli('simulate', '--list');
    const one = await cli('simulate', '--list', '--topology', 'sock-shop');
    // Assess
    expect(all.stdout).toMatch(/train-ticket\s+\d+/);
    expect(all.stdout).toMatch(/generated\s+10–20000/);
    expect(one.stdout).toMatch(/queue-master\s+AWS::ECS::Container/);
  });

  it('should print the snapshot on standard output without --out, the same bytes for the same seed', async () => {
    // Act
    const a = await cli(
      'simulate',
      '--topology',
      'social-network',
      '--fault',
      'user-mongodb:saturation',
      '--seed',
      '9',
    );
    const b = await cli(
      'simulate',
      '--topology',
      'social-network',
      '--fault',
      'user-mongodb:saturation',
      '--seed',
      '9',
    );
    // Assess
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const snapshot = JSON.parse(a.stdout) as { incident: { Services: unknown[] } };
    expect(snapshot.incident.Services.length).toBeGreaterThan(20);
  });

  it('should print the what-if as JSON with the finding beside the prediction', async () => {
    // Act
    const r = await cli(
      'simulate',
      '--topology',
      'shop',
      '--what-if',
      '--fault',
      'users:throttle',
      '--format',
      'json',
    );
    // Assess
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      whatIf: { prediction: { affected: { service: string }[] }; engine: { rankOfInjected: number } };
      finding: { rootCauses: { service: string }[] };
    };
    expect(report.whatIf.prediction.affected.map((a) => a.service)).toEqual(['user-service', 'frontend']);
    expect(report.finding.rootCauses[0]?.service).toBe('users');
    expect(report.whatIf.engine.rankOfInjected).toBe(1);
  });
});
