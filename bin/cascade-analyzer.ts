// The command line. Every command lives in bin/commands and is registered below; bad input exits
// 2 with one line naming what was wrong, an unexpected failure exits 1.

import { analyzeCommand } from './commands/analyze.ts';
import type { Command } from './commands/command.ts';
import { demoCommand } from './commands/demo.ts';
import { findingsCommand } from './commands/findings.ts';
import { incidentsCommand } from './commands/incidents.ts';
import { serveCommand } from './commands/serve.ts';
import { simulateCommand } from './commands/simulate.ts';
import { UsageError } from './commands/usage-error.ts';

const COMMANDS: readonly Command[] = [
  analyzeCommand,
  simulateCommand,
  demoCommand,
  serveCommand,
  findingsCommand,
  incidentsCommand,
];

function help(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length), 4) + 2;
  return `cascade-analyzer — find where a microservice cascade started in an AWS X-Ray service graph

Usage: cascade-analyzer <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}show help for a command: cascade-analyzer help <command>

Run "cascade-analyzer <command> --help" for the options of a command.
`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = COMMANDS.find((c) => c.name === rest[0]);
      if (rest[0] !== undefined && !topic) throw new UsageError(`help: unknown command "${rest[0]}"`);
      process.stdout.write(topic ? topic.help : help());
      return 0;
    }
    const command = COMMANDS.find((c) => c.name === name);
    if (!command) throw new UsageError(`unknown command "${name}"; run "cascade-analyzer --help"`);
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`cascade-analyzer: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`cascade-analyzer: unexpected failure: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}
