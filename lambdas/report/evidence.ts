// The evidence beyond the graph in plain sentences, shared by the text, e-mail, chat and HTML
// reports: what X-Ray's traces say about a root cause, one exemplar, the changes near the start.

import { describeWhen } from '../core/evidence/when.ts';
import type { ChangeNearStart, Finding, RootCauseTraces } from '../core/model.ts';
import { clip, utc } from './format.ts';

/** `X-Ray blames it in 31 of 40 traces with a root cause (78 %)`. */
export function tracesSentence(t: RootCauseTraces, f: Finding): string {
  const of = f.traces ? ` of ${f.traces.withRootCause}` : '';
  return `X-Ray blames it in ${t.traces}${of} traces with a root cause (${Math.round(t.share * 100)} %)`;
}

/** `TimeoutError ×12, IOError ×3`, the first `max`. */
export function exceptionsText(t: RootCauseTraces, max = 5): string {
  const shown = t.exceptions.slice(0, max).map((x) => `${x.name} ×${x.count}`);
  return shown.length > 0 ? shown.join(', ') : 'none recorded';
}

/** `1-abc: TimeoutError "read timed out" in DynamoDB UpdateItem`, or undefined without detail. */
export function exemplarSentence(t: RootCauseTraces, maxMessage = 300): string | undefined {
  const d = t.detail;
  if (!d) return undefined;
  const parts = [
    d.exception ?? 'failure',
    ...(d.message ? [`"${clip(d.message, maxMessage)}"`] : []),
    ...(d.operation ? [`in ${d.operation}`] : []),
  ];
  return `${d.traceId}: ${parts.join(' ')}`;
}

/** `2026-11-20 02:56 UTC, 4 min before the start: ECS service update (UpdateService) by deploy-bot → payment-service`. */
export function changeSentence(c: ChangeNearStart): string {
  const touched =
    c.services.length > 0
      ? ` → ${c.services.join(', ')}`
      : ` (${c.resources.join(', ') || 'no resource named'})`;
  return `${utc(c.at)}, ${describeWhen(c)}: ${c.what} (${c.eventName}) by ${c.who}${touched}`;
}
