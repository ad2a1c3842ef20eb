// Report speed: how long the HTML report of a generated incident takes to render, Graphviz layout
// included. The first render in a process also compiles Graphviz's WebAssembly (a Lambda cold
// start pays that once); later renders are the steady state. Numbers, not pass/fail.

import { fileURLToPath } from 'node:url';
import { analyze } from '../lambdas/core/analyze.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';
import { renderHtml } from '../lambdas/report/html.ts';
import { generateSyntheticSnapshot } from './synthetic.ts';

export interface ReportSpeedRow {
  services: number;
  /** Services drawn as themselves (the cascade, or the whole graph when small). */
  drawn: number;
  /** First render in this process: wasm compile + layout + HTML. */
  firstMs: number;
  /** Median of the following renders, with the graph (what `analyze --format html` does). */
  medianMs: number;
  /** Median of renders from the finding alone (what the API does). */
  findingOnlyMs: number;
  htmlBytes: number;
  runs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Renders the report of a `services`-service generated incident `runs + 1` times in this process. */
export async function measureReportSpeed(services = 500, runs = 5): Promise<ReportSpeedRow> {
  const gen = generateSyntheticSnapshot(services, 1);
  const snapshot = parseSnapshot({ incident: gen.incident, baseline: gen.baseline });
  const finding = analyze(snapshot);
  const options = { graph: snapshot.incident };

  let t = performance.now();
  const html = await renderHtml(finding, options);
  const firstMs = performance.now() - t;
  const withGraph: number[] = [];
  const findingOnly: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    await renderHtml(finding, options);
    withGraph.push(performance.now() - t);
    t = performance.now();
    await renderHtml(finding);
    findingOnly.push(performance.now() - t);
  }
  const drawn = /aria-label="Cascade graph: (\d+) of/.exec(html)?.[1];
  return {
    services,
    drawn: drawn === undefined ? 0 : Number(drawn),
    firstMs: round(firstMs),
    medianMs: round(median(withGraph)),
    findingOnlyMs: round(median(findingOnly)),
    htmlBytes: Buffer.byteLength(html, 'utf8'),
    runs,
  };
}

/** One Markdown table row per measurement, for bench/run.ts. */
export function reportSpeedTable(rows: readonly ReportSpeedRow[]): string {
  const out = [
    '| services | drawn | first render (wasm compile + layout) | later renders (median) | from the finding alone | HTML size |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    out.push(
      `| ${r.services} | ${r.drawn} | ${r.firstMs} ms | ${r.medianMs} ms | ${r.findingOnlyMs} ms | ${(r.htmlBytes / 1024).toFixed(0)} KiB |`,
    );
  }
  return out.join('\n');
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const row = await measureReportSpeed(500, 5);
  console.log(reportSpeedTable([row]));
}
