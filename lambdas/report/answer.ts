// The answer, first and once: what an on-call engineer needs on the first screen (issue 19 §2).
// Root cause with its confidence in words, the one or two facts that prove it, what changed, the
// path to the users and the first thing to do. `analyze` and `demo` both print it; the details
// (other candidates, the services table, every trace) come after it or behind `--verbose`.

import { describeWhen } from '../core/evidence/when.ts';
import type { ChangeNearStart, Finding, Recommendation, RootCause } from '../core/model.ts';
import { typeWords } from '../core/node-types.ts';
import { tracesSentence } from './evidence.ts';
import { seenBeforeText } from './feedback-text.ts';
import { cascadeSize } from './format.ts';
import { percent } from './numbers.ts';
import { wrap } from './wrap.ts';

export { typeWords };

/** Width of the labels in the left column ("FIRST STEP" and two spaces). */
export const LABEL_WIDTH = 12;

/**
 * A confidence in words, with the number beside it: `almost certain (99 %)`. The bands are the
 * ones the calibration tables of the benchmark check (docs/benchmarks.md): at 90 % and above the
 * engine is right about nine times in ten on every public set.
 */
export function confidenceWords(confidence: number): string {
  const words =
    confidence >= 0.9
      ? 'almost certain'
      : confidence >= 0.7
        ? 'likely'
        : confidence >= 0.4
          ? 'possible'
          : 'a weak lead: check it before acting';
  return `${words} (${percent(confidence, 0)})`;
}

/** `api.payments.example.com, an external dependency`; the node type only where it tells something. */
export function rootCauseName(r: RootCause): string {
  return `${r.via ? `${r.service} as called by ${r.via}` : r.service}${typeWords(r.type)}`;
}

/**
 * What to do in its imperative part: a recommendation reads "<what is wrong>: <what to do>", and
 * the answer states what is wrong already, so the first step shows what to do.
 */
export function actionText(r: Recommendation): string {
  const cut = r.text.indexOf(': ');
  const action = cut > 0 ? r.text.slice(cut + 2) : r.text;
  return action.length > 0 ? action.charAt(0).toUpperCase() + action.slice(1) : r.text;
}

/** The change that most likely bears on the answer, in one sentence, or why there is none. */
export function changedText(f: Finding, top: RootCause): string {
  const own = top.changes?.[0];
  if (own) return `${top.service} itself, ${changeTail(own)}`;
  const all = f.changes ?? [];
  const onPath = f.cascade.paths
    .filter((p) => p.rank === top.rank)
    .flatMap((p) => p.services)
    .filter((s) => s !== top.service);
  const nearby = all.find((c) => c.services.some((s) => onPath.includes(s)));
  if (nearby) {
    const who = nearby.services.filter((s) => onPath.includes(s)).join(', ');
    return `${who} (on the path to the users), ${changeTail(nearby)}`;
  }
  if (all.length > 0) {
    const c = all[0] as ChangeNearStart;
    const touched = c.services.length > 0 ? c.services.join(', ') : c.resources.join(', ') || 'a resource';
    return `nothing on the path; nearest: ${touched}, ${changeTail(c)}${all.length > 1 ? ` (${all.length} changes in all)` : ''}`;
  }
  return f.changes === undefined
    ? 'not checked: no change events were read (analyze --changes FILE, or CloudTrail when deployed)'
    : 'no change recorded near the start';
}

function changeTail(c: ChangeNearStart): string {
  return `${describeWhen(c)}: ${c.what} by ${c.who}`;
}

/** The facts that prove the root cause: its strongest evidence line and, when X-Ray agrees, the traces. */
export function proofLines(f: Finding, top: RootCause): string[] {
  const lines = top.evidence.slice(0, 1).map((e) => e.text);
  if (top.traces) {
    const ex = top.traces.exceptions[0];
    lines.push(`${tracesSentence(top.traces, f)}${ex ? `, mostly ${ex.name}` : ''}`);
  } else if (top.evidence[1]) {
    lines.push(top.evidence[1].text);
  }
  return lines;
}

/** The reach of the cascade: who is degraded and how much of the users' traffic depends on it. */
export function reachText(f: Finding, top: RootCause): string {
  const others = Math.max(0, cascadeSize(f) - 1);
  const share = `${percent(top.blastRadius.entryTrafficShare, 0)} of entry traffic depends on it`;
  return others > 0 ? `${share}; ${others} other service${others === 1 ? ' is' : 's are'} degraded` : share;
}

/**
 * The answer block, wrapped to `width`: ROOT CAUSE, PROOF, CHANGED, PATH, FIRST STEP. A finding
 * without a root cause says so in one line.
 */
export function answerLines(f: Finding, width: number): string[] {
  const top = f.rootCauses[0];
  if (!top) return wrap('none: nothing is anomalous against the baseline.', width, label('ROOT CAUSE'));
  const lines: string[] = [];
  const block = (name: string, texts: readonly string[]) => {
    texts.forEach((t, i) => {
      lines.push(...wrap(t, width, i === 0 ? label(name) : label('')));
    });
  };
  block('ROOT CAUSE', [`${rootCauseName(top)}: ${confidenceWords(top.confidence)}`]);
  block('PROOF', proofLines(f, top));
  block('CHANGED', [changedText(f, top)]);
  const path = f.cascade.paths.find((p) => p.rank === top.rank);
  block('PATH', [
    ...(path && path.services.length > 1 ? [path.services.join(' → ')] : []),
    reachText(f, top),
  ]);
  const first = f.recommendations[0];
  if (first) block('FIRST STEP', [actionText(first)]);
  // A past incident like this one (issue 21): when, what it was, whether on-call confirmed it.
  if (f.seenBefore !== undefined)
    block('SEEN BEFORE', [seenBeforeText(f.seenBefore).replace(/^seen before: /, '')]);
  return lines;
}

function label(name: string): string {
  return name.padEnd(LABEL_WIDTH);
}
