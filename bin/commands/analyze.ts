// `cascade-analyzer analyze`: one exported graph in, one report out.

import { parseArgs } from 'node:util';
import { analyze, METHODS, type Method } from '../../lambdas/core/analyze.ts';
import { type AnalysisConfig, DEFAULT_CONFIG } from '../../lambdas/core/config.ts';
import { GraphInputError, UnknownServiceError } from '../../lambdas/core/errors.ts';
import type { AnalysisEvidence } from '../../lambdas/core/evidence/blend.ts';
import { parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import { EvidenceInputError } from '../../lambdas/core/evidence/fields.ts';
import { readTraceDocuments } from '../../lambdas/core/evidence/trace-detail.ts';
import { parseTraceSummaries } from '../../lambdas/core/evidence/trace-summaries.ts';
import type { GraphSnapshot } from '../../lambdas/core/model.ts';
import { parseSnapshot, parseWindow } from '../../lambdas/core/parse.ts';
import { notInGraphMessage } from '../../lambdas/core/service-lookup.ts';
import { escapeUnsafe } from '../../lambdas/report/format.ts';
import { renderHtml } from '../../lambdas/report/html.ts';
import { renderText } from '../../lambdas/report/text.ts';
import type { Command } from './command.ts';
import { OutputFileError, textWidth, writeOutputFile } from './output.ts';
import { readJsonFile } from './read-json.ts';
import { argsProblem, UsageError } from './usage-error.ts';

export const ANALYZE_HELP = `Usage: cascade-analyzer analyze --graph FILE [options]

Analyzes an X-Ray service graph: which anomalous services are origins, how the failure spread,
who is hurt and what to do.

Options:
  --graph FILE       the incident window: a GetServiceGraph response (as printed by
                     "aws xray get-service-graph"), a list of its pages, or a snapshot
                     {"incident": …, "baseline": …}                              (required)
  --baseline FILE    a GetServiceGraph response for a quiet window before the incident;
                     overrides a baseline inside --graph. Without any baseline only the
                     absolute thresholds apply and confidence is lower.
  --service NAME     the alarmed service: analyze it and what it calls, transitively
  --traces FILE      X-Ray trace summaries of the incident window: a GetTraceSummaries
                     response ("aws xray get-trace-summaries … --filter-expression
                     'service("NAME") { fault = true }'") or a list of its pages. X-Ray's
                     per-trace root causes are weighed against the graph; the finding
                     gains exception names and exemplar trace ids
  --changes FILE     CloudTrail change events: a LookupEvents response ("aws cloudtrail
                     lookup-events …") or a list of its pages. A change can decide what the
                     graph cannot: one change behind several origins, a changed callee of
                     a failing service, a silent graph (docs/analysis.md)
  --exemplars FILE   full traces ("aws xray batch-get-traces --trace-ids …"): the root
                     cause's exemplar found there gains its exception message and the
                     failing operation
  --region REGION    for console links to exemplar traces (default: AWS_REGION, if set)
  --method NAME      engine (default) | seed (the original DFS chain method) |
                     naive (fault-rate rise + latency ratio); for comparison
  --format FMT       text (default) | json (exactly one Finding) |
                     html (one self-contained page, the cascade drawn as SVG)
  --out FILE         write the report to FILE instead of standard output
  --verbose          text: add scores, impact, trace links and every note; wraps to
                     COLUMNS (or the terminal's width; 100 when not a terminal)
  --set KEY=VALUE    override a threshold (repeatable); keys and defaults:
${Object.entries(DEFAULT_CONFIG)
  .map(([k, v]) => `                       ${k}=${v}`)
  .join('\n')}
  -h, --help         show this help

Exit status: 0 analyzed, 2 bad input (one line on standard error), 1 unexpected failure.
`;

const FORMATS = ['text', 'json', 'html'] as const;
type Format = (typeof FORMATS)[number];

export async function runAnalyze(args: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parseAnalyzeArgs>;
  try {
    values = parseAnalyzeArgs(args);
  } catch (err) {
    throw new UsageError(`analyze: ${argsProblem(err)}`);
  }
  if (values.help) {
    process.stdout.write(ANALYZE_HELP);
    return 0;
  }
  if (!values.graph)
    throw new UsageError('analyze: --graph FILE is required (see "cascade-analyzer analyze --help")');
  const method = (values.method ?? 'engine') as Method;
  if (!METHODS.includes(method)) {
    throw new UsageError(`analyze: --method must be one of ${METHODS.join(', ')}, got "${values.method}"`);
  }
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) {
    throw new UsageError(`analyze: --format must be text, json or html, got "${values.format}"`);
  }
  const config = parseOverrides(values.set ?? []);

  const graphFile = values.graph;
  let snapshot: GraphSnapshot = readGraph(graphFile, (json) => parseSnapshot(json));
  if (values.baseline) {
    const baselineFile = values.baseline;
    const baseline = readGraph(baselineFile, (json) => parseWindow(json, ''));
    snapshot = { incident: snapshot.incident, baseline };
  }
  const evidence = readEvidence(values);
  let finding: ReturnType<typeof analyze>;
  try {
    finding = analyze(snapshot, {
      method,
      config,
      ...(values.service !== undefined ? { service: values.service } : {}),
      ...(evidence ? { evidence } : {}),
    });
  } catch (err) {
    if (err instanceof UnknownServiceError) {
      // The suggestions of service-lookup.ts: they also catch close misspellings (fronend → frontend).
      throw new UsageError(`${graphFile}: --service: ${notInGraphMessage(snapshot.incident, err.service)}`);
    }
    throw err;
  }
  const output =
    format === 'json'
      ? `${JSON.stringify(finding, null, 2)}\n`
      : format === 'html'
        ? // The graph gives the picture exact call counts on its edges.
          await renderHtml(finding, { graph: snapshot.incident })
        : renderText(finding, { width: textWidth(values.out), verbose: values.verbose === true });
  if (values.out) {
    try {
      writeOutputFile(values.out, output);
    } catch (err) {
      if (!(err instanceof OutputFileError)) throw err;
      throw new UsageError(`cannot write --out file "${values.out}": ${err.message}`);
    }
    process.stderr.write(`cascade-analyzer: wrote ${format} report to ${escapeUnsafe(values.out)}\n`);
  } else {
    process.stdout.write(output);
  }
  return 0;
}

function parseAnalyzeArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: false,
    strict: true,
    options: {
      graph: { type: 'string' },
      baseline: { type: 'string' },
      service: { type: 'string' },
      traces: { type: 'string' },
      changes: { type: 'string' },
      exemplars: { type: 'string' },
      region: { type: 'string' },
      method: { type: 'string' },
      format: { type: 'string' },
      verbose: { type: 'boolean' },
      out: { type: 'string' },
      set: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h' },
    },
  }).values;
}

function parseOverrides(pairs: readonly string[]): Partial<AnalysisConfig> {
  const out: Record<string, number> = {};
  for (const pair of pairs) {
    const m = /^([A-Za-z0-9]+)=(.+)$/.exec(pair);
    if (!m) throw new UsageError(`analyze: --set expects KEY=VALUE, got "${pair}"`);
    const [, key, raw] = m as unknown as [string, string, string];
    if (!(key in DEFAULT_CONFIG)) {
      throw new UsageError(
        `analyze: --set: unknown key "${key}"; keys: ${Object.keys(DEFAULT_CONFIG).join(', ')}`,
      );
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) {
      throw new UsageError(`analyze: --set ${key}: expected a number ≥ 0, got "${raw}"`);
    }
    out[key] = value;
  }
  return out as Partial<AnalysisConfig>;
}

export function readGraph<T>(file: string, parse: (json: unknown) => T): T {
  const json = readJsonFile(file);
  try {
    return parse(json);
  } catch (err) {
    if (err instanceof GraphInputError || err instanceof EvidenceInputError) {
      throw new UsageError(`${file}: ${err.message}`);
    }
    throw err;
  }
}

/** The evidence files, read and checked; undefined when neither is given (the graph-only finding). */
function readEvidence(values: {
  traces?: string | undefined;
  changes?: string | undefined;
  exemplars?: string | undefined;
  region?: string | undefined;
}): AnalysisEvidence | undefined {
  if (values.traces === undefined && values.changes === undefined && values.exemplars === undefined) {
    return undefined;
  }
  const region = values.region ?? process.env.AWS_REGION;
  return {
    ...(values.traces !== undefined ? { traces: readGraph(values.traces, parseTraceSummaries) } : {}),
    ...(values.changes !== undefined ? { changes: readGraph(values.changes, parseLookupEvents) } : {}),
    ...(values.exemplars !== undefined
      ? {
          // Checked here, so that a bad file is bad input (exit 2), not a failure inside the analysis.
          exemplarTraces: readGraph(values.exemplars, (json) => {
            readTraceDocuments(json);
            return json;
          }),
        }
      : {}),
    ...(region ? { region } : {}),
  };
}

export const analyzeCommand: Command = {
  name: 'analyze',
  summary: 'analyze an exported service graph (aws xray get-service-graph) or a graph snapshot',
  help: ANALYZE_HELP,
  run: runAnalyze,
};
