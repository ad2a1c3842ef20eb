// How a local execution reads in a terminal: one line per state as it ends, with its time and what
// it produced; on a TTY the running state shows while it runs.

import { neutralizeText } from '../report/format.ts';
import type { ExecutionEvent, ExecutionListener } from './state-machine.ts';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** The widest state name (CollectEvidence): every step line and the summary lines align on it. */
export const NAME_WIDTH = 15;

export interface ProgressOptions {
  /** Where lines go (standard output). */
  readonly write: (text: string) => void;
  /** Show the running state before it ends (overwritten when it does). */
  readonly tty: boolean;
}

/** An execution listener that prints the progress. */
export function progressPrinter(options: ProgressOptions): ExecutionListener {
  const { write, tty } = options;
  let pending = false;
  // A line may show names from the graph (a root cause): neutralised, so that none forges a line.
  const line = (text: string) => {
    write(`${pending ? '\r\x1b[2K' : ''}${neutralizeText(text)}\n`);
    pending = false;
  };
  return (e: ExecutionEvent) => {
    switch (e.type) {
      case 'state-entered':
        if (tty && !pending && e.kind === 'Task') {
          write(`  ${e.state.padEnd(NAME_WIDTH)} …`);
          pending = true;
        }
        return;
      case 'state-succeeded':
        // Succeed and Fail states end the execution; the caller sums it up.
        if (e.kind !== 'Task') return;
        line(`  ${e.state.padEnd(NAME_WIDTH)} ✓ ${duration(e.ms).padStart(7)}  ${describeOutput(e.output)}`);
        return;
      case 'state-failed':
        if (e.kind !== 'Task') return;
        line(
          `  ${e.state.padEnd(NAME_WIDTH)} ✗ ${duration(e.ms).padStart(7)}  ${e.error}: ${causeMessage(e.cause)}`,
        );
        return;
      case 'state-retried':
        line(`  ${e.state.padEnd(NAME_WIDTH)} ↻          retry ${e.attempt} (the state's Retry)`);
        return;
      case 'state-caught':
        line(`  ${''.padEnd(NAME_WIDTH)}            caught by the state's Catch → RecordFailure`);
        return;
    }
  };
}

export interface StepsOptions {
  /** Where text goes (standard output). */
  readonly write: (text: string) => void;
  /** Columns to keep within. */
  readonly width: number;
  /** What the first line starts with (a label); the next ones are indented as wide. */
  readonly label: string;
}

/**
 * An execution listener that prints the steps compactly, on as few lines as the width allows:
 * `Prepare ✓ CollectGraph ✓ … Notify ✓`, each name as its state ends; a retry shows ↻, a failure
 * ✗ with its error on a line of its own. `add(text)` appends a word group (the outcome), `end()`
 * closes the last line.
 */
export function stepsPrinter(
  options: StepsOptions,
): ExecutionListener & { readonly add: (text: string) => void; readonly end: () => void } {
  const { write, width, label } = options;
  let column = 0;
  const put = (word: string) => {
    const text = neutralizeText(word);
    if (column === 0) {
      write(label);
      column = label.length;
    } else if (column + 1 + text.length > width) {
      write(`\n${' '.repeat(label.length)}`);
      column = label.length;
    } else {
      write(' ');
      column += 1;
    }
    write(text);
    column += text.length;
  };
  const end = () => {
    if (column > 0) write('\n');
    column = 0;
  };
  const listener = (e: ExecutionEvent) => {
    if ((e.type === 'state-succeeded' || e.type === 'state-failed') && e.kind !== 'Task') return;
    switch (e.type) {
      case 'state-succeeded':
        put(`${e.state} ✓`);
        return;
      case 'state-retried':
        put(`${e.state} ↻`);
        return;
      case 'state-failed':
        put(`${e.state} ✗`);
        end();
        write(`${' '.repeat(label.length)}${neutralizeText(`${e.error}: ${causeMessage(e.cause)}`)}\n`);
        return;
      default:
        return;
    }
  };
  return Object.assign(listener, { add: put, end });
}

/** One phrase on what a state produced, from its output payload. */
export function describeOutput(output: unknown): string {
  if (!isObj(output)) return '';
  if ('stored' in output && 'messageId' in output) {
    // RecordFailure
    return output.stored === 'created'
      ? `FAILED finding stored and notified (${str(output.messageId)})`
      : 'a finding was already stored for this analysis: not notified again';
  }
  if ('incident' in output && isObj(output.incident)) {
    // Correlate
    return `${str(output.incident.outcome)} incident ${str(output.incident.incidentId)}`;
  }
  if (Array.isArray(output.incidentMessages)) {
    // Notify (an incident's outbox), NotifyResolution
    const sent = output.incidentMessages.map(String);
    return sent.length === 0 ? 'nothing pending in the outbox' : `sent ${sent.join(', ')}`;
  }
  if ('alarmKey' in output && Array.isArray(output.incidents)) {
    // ResolveAlarm
    const incidents = output.incidents.filter(isObj);
    return incidents.length === 0
      ? 'the alarm is in no incident'
      : incidents.map((i) => `incident ${str(i.incidentId)} ${str(i.status)}`).join(', ');
  }
  if ('stored' in output) {
    if (output.stored === 'superseded')
      return 'finding stored: a result replaces the FAILED one stored before';
    return output.stored === 'created'
      ? 'finding stored (the first for this analysis)'
      : 'already stored by an earlier delivery of this alarm: nothing written';
  }
  if ('messageId' in output) {
    return output.messageId === null
      ? 'not sent: a duplicate of an analysis already notified'
      : `sent ${str(output.messageId)}`;
  }
  if ('findingKey' in output) {
    const root = str(output.rootCause);
    return `${str(output.status)}${root ? `: root cause ${root}` : ''} → ${str(output.findingKey)}`;
  }
  if ('metrics' in output && isObj(output.metrics)) {
    const n = Object.keys(output.metrics).length;
    return n === 0 ? 'no CloudWatch metrics configured for these services' : `CPU of ${n} service(s)`;
  }
  if ('evidenceKey' in output) {
    return `X-Ray trace summaries and CloudTrail changes → ${str(output.evidenceKey)}`;
  }
  if ('snapshotKey' in output) {
    return `${String(output.serviceCount)} services in the incident graph → ${str(output.snapshotKey)}`;
  }
  if ('analysisId' in output && isObj(output.window)) {
    return `${str(output.analysisId)} · ${str(output.service)} · ${clock(str(output.window.start))}–${clock(str(output.window.end))} UTC`;
  }
  return '';
}

/** A Lambda-style JSON cause's message, or the cause itself. */
export function causeMessage(cause: string): string {
  try {
    const c = JSON.parse(cause) as { errorMessage?: unknown };
    if (isObj(c) && typeof c.errorMessage === 'string') return c.errorMessage;
  } catch {
    // plain text
  }
  return cause;
}

export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function kib(bytes: number): string {
  return bytes < 1024 ? `${bytes} B` : `${(bytes / 1024).toFixed(1)} KB`;
}

function clock(iso: string): string {
  return iso.slice(11, 16);
}
