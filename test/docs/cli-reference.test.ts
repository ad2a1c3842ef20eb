import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../bin/cascade-analyzer.ts';
import { CLI_REFERENCE, cliReference } from '../../scripts/cli-reference.ts';
import { cli } from '../support/cli.ts';

const committed = readFileSync(CLI_REFERENCE, 'utf8');

describe('Docs: the CLI reference', () => {
  it('should be the page the help texts make (run "npm run docs:cli" when this fails)', async () => {
    // Act
    const generated = await cliReference();

    // Assess
    expect(committed, 'docs/cli.md is stale: run "npm run docs:cli" and commit it').toBe(generated);
  });

  it.each([['(no command)', []], ...COMMANDS.map((c) => [c.name, [c.name]] as [string, string[]])])(
    'should hold, verbatim, what "cascade-analyzer %s --help" prints',
    (_name, args) => {
      // Act
      const r = cli(...args, '--help');

      // Assess
      expect(r.code).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(200);
      expect(committed).toContain(`\`\`\`text\n${r.stdout.trimEnd()}\n\`\`\``);
    },
  );
});
