// The command line. Every command lives in bin/commands and is listed below with its summary; its
// module loads only when it runs, so `help` starts at once. Bad input exits 2 with one line naming
// what was wrong, an unexpected failure exits 1.

import { escapeUnsafe } from '../lambdas/report/format.ts';
import type { Command } from './commands/command.ts';
import { tolerateClosedOutput } from './commands/output.ts';
import { UsageError } from './commands/usage-error.ts';

export interface CommandEntry {
  readonly name: string;
  /** One line for the command list; the same as the command's own (a test holds them together). */
  readonly summary: string;
  readonly load: () => Promise<Command>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'analyze',
    summary: 'analyze an exported service graph (aws xray get-service-graph) or a graph snapshot',
    load: async () => (await import('./commands/analyze.ts')).analyzeCommand,
  },
  {
    name: 'simulate',
    summary: 'simulate the X-Ray graphs of an incident (faults in a topology) or a what-if on your own graph',
    load: async () => (await import('./commands/simulate.ts')).simulateCommand,
  },
  {
    name: 'demo',
    summary: 'run the deployed pipeline on this machine: alarm → state machine → finding → notification',
    load: async () => (await import('./commands/demo.ts')).demoCommand,
  },
  {
    name: 'serve',
    summary: 'the analyses API on a local port, running the workflow in-process (curl-able)',
    load: async () => (await import('./commands/serve.ts')).serveCommand,
  },
  {
    name: 'findings',
    summary: 'list or show the findings the local pipeline stored (findings list | findings get ID)',
    load: async () => (await import('./commands/findings.ts')).findingsCommand,
  },
  {
    name: 'incidents',
    summary: 'list, show and export (postmortem draft) the incidents of the local store',
    load: async () => (await import('./commands/incidents.ts')).incidentsCommand,
  },
  {
    name: 'accuracy',
    summary: "how often the analyses were right, from on-call's verdicts (precision per week, calibration)",
    load: async () => (await import('./commands/accuracy.ts')).accuracyCommand,
  },
];

/** The text `cascade-analyzer --help` prints (also the top of docs/cli.md). */
export function help(): string {
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
  tolerateClosedOutput();
  try {
    if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
      const topic = COMMANDS.find((c) => c.name === rest[0]);
      if (rest[0] !== undefined && !topic) throw new UsageError(`help: unknown command "${rest[0]}"`);
      process.stdout.write(topic ? (await topic.load()).help : help());
      return 0;
    }
    const entry = COMMANDS.find((c) => c.name === name);
    if (!entry) throw new UsageError(`unknown command "${name}"; run "cascade-analyzer --help"`);
    return await (await entry.load()).run(rest);
  } catch (err) {
    // A message may quote what was typed or read (an id, a file name, a service): escaped, so that
    // it stays one line and cannot steer the terminal.
    if (err instanceof UsageError) {
      process.stderr.write(`cascade-analyzer: ${escapeUnsafe(err.message)}\n`);
      return 2;
    }
    process.stderr.write(`cascade-analyzer: unexpected failure: ${describeFailure(err)}\n`);
    return 1;
  }
}

/** A bug's message on one line, then where it happened (the stack's frames) for the report. */
function describeFailure(err: unknown): string {
  if (!(err instanceof Error)) return escapeUnsafe(String(err));
  const stack = err.stack ?? '';
  const frames = stack.indexOf('\n    at ');
  return `${escapeUnsafe(`${err.name}: ${err.message}`)}${frames >= 0 ? stack.slice(frames) : ''}`;
}
