// The API's feedback routes (issue 21): POST /findings/{id}/feedback records an on-call verdict,
// GET /findings/{id}/feedback shows the verdicts and their history, GET /accuracy the live
// accuracy. Scoped like every route: a caller sees and judges only its services' findings (others
// read as absent). Verdicts are recorded beside the findings; nothing here touches the ranking.

import type { FeedbackReader, FeedbackWriter } from '../adapters/feedback-store.ts';
import { findingService } from '../adapters/findings-table-schema.ts';
import type { FindingLookup } from '../adapters/ports.ts';
import type { FeedbackRecord } from '../core/feedback.ts';
import {
  accuracyOf,
  checkVerdict,
  feedbackSubject,
  MAX_NOTE_CHARS,
  MAX_SERVICE_NAME_CHARS,
  VerdictError,
  type VerdictValue,
} from '../core/feedback.ts';
import { IsoTimestampSchema } from './alarm-event.ts';
import { AnalysisIdSchema } from './contracts.ts';
import { InputValidationError, parseInput } from './errors.ts';
import * as z from './zod.ts';

/** The CloudWatch metric of each verdict (namespace CascadeAnalyzer), and of a verdict right at 3. */
export const VERDICT_METRICS = {
  right: 'VerdictRight',
  wrong: 'VerdictWrong',
  partly: 'VerdictPartly',
  inTop3: 'VerdictInTop3',
} as const;

export interface FeedbackDeps {
  readonly repository: FindingLookup;
  readonly feedback: FeedbackReader & FeedbackWriter;
  readonly now: () => Date;
  /** Told about each verdict recorded (the metrics); `inTop3`: the real root cause was in the first three. */
  readonly onVerdict?: (verdict: VerdictValue, inTop3: boolean) => void;
}

export interface Answer {
  readonly statusCode: number;
  readonly body: unknown;
}

/** Longest range `GET /accuracy` reads at once. */
export const MAX_ACCURACY_DAYS = 366;
/** What `GET /accuracy` reads without `from`. */
export const DEFAULT_ACCURACY_DAYS = 84;

const noControl = (s: string) => !/\p{Cc}/u.test(s);

const ActualSchema = z
  .string()
  .check(
    z.trim(),
    z.minLength(1, 'must not be empty'),
    z.maxLength(
      MAX_SERVICE_NAME_CHARS,
      `must have at most ${MAX_SERVICE_NAME_CHARS} characters (the longest X-Ray service name)`,
    ),
    z.refine(noControl, 'must not contain control characters'),
  );

export const FeedbackBodySchema = z.strictObject({
  verdict: z.enum(['right', 'wrong', 'partly'], { error: 'must be right, wrong or partly' }),
  actual: z.optional(ActualSchema),
  note: z.optional(
    z
      .string()
      .check(
        z.maxLength(MAX_NOTE_CHARS, `must have at most ${MAX_NOTE_CHARS} characters`),
        z.refine(noControl, 'must not contain control characters'),
      ),
  ),
  /** Who gives it, honoured only when API Gateway names no caller (the local `serve`). */
  by: z.optional(
    z
      .string()
      .check(
        z.trim(),
        z.minLength(1, 'must not be empty'),
        z.maxLength(256, 'must have at most 256 characters'),
        z.refine(noControl, 'must not contain control characters'),
      ),
  ),
});

const AccuracyQuerySchema = z.strictObject({
  from: z.optional(IsoTimestampSchema),
  to: z.optional(IsoTimestampSchema),
  service: z.optional(
    z
      .string()
      .check(z.minLength(1, 'must not be empty'), z.maxLength(256, 'must have at most 256 characters')),
  ),
});

const notFound = (id: string): Answer => ({ statusCode: 404, body: { message: `no analysis ${id}` } });

/** The finding `id` when the caller may see it; undefined (a 404) otherwise. */
async function visibleFinding(id: string, deps: FeedbackDeps, sees: (service: string) => boolean) {
  if (!AnalysisIdSchema.safeParse(id).success)
    throw new InputValidationError('path', 'id', 'is not an analysis id');
  const found = await deps.repository.get(id);
  return found !== undefined && sees(findingService(found)) ? found : undefined;
}

/** POST /findings/{id}/feedback: the record after the verdict (200). */
export async function giveFeedback(
  id: string,
  body: unknown,
  caller: string | undefined,
  deps: FeedbackDeps,
  sees: (service: string) => boolean,
): Promise<Answer> {
  const input = parseInput(FeedbackBodySchema, body, 'body');
  const finding = await visibleFinding(id, deps, sees);
  if (finding === undefined) return notFound(id);
  const now = deps.now().toISOString();
  const subject = feedbackSubject(finding, now);
  if (subject === undefined) {
    return {
      statusCode: 409,
      body: { message: `analysis ${id} named no root cause (${finding.status}): there is nothing to judge` },
    };
  }
  const verdict = {
    verdict: input.verdict,
    ...(input.actual !== undefined ? { actual: input.actual } : {}),
    ...(input.note !== undefined && input.note.trim() !== '' ? { note: input.note.trim() } : {}),
    by: caller ?? input.by ?? 'anonymous (no IAM identity)',
    at: now,
  };
  try {
    checkVerdict(subject, verdict);
  } catch (err) {
    if (err instanceof VerdictError) throw new InputValidationError('body', err.field, err.problem);
    throw err;
  }
  const record = await deps.feedback.give(finding, verdict);
  const inTop3 =
    verdict.verdict !== 'wrong' || subject.rootCauses.some((rc) => rc.service === verdict.actual);
  deps.onVerdict?.(verdict.verdict, inTop3);
  return { statusCode: 200, body: record };
}

/** GET /findings/{id}/feedback: the verdicts and their history (an empty record before any). */
export async function showFeedback(
  id: string,
  deps: FeedbackDeps,
  sees: (service: string) => boolean,
): Promise<Answer> {
  const finding = await visibleFinding(id, deps, sees);
  if (finding === undefined) return notFound(id);
  const record: FeedbackRecord | undefined =
    (await deps.feedback.get(id)) ?? feedbackSubject(finding, deps.now().toISOString());
  if (record === undefined) {
    return { statusCode: 200, body: { analysisId: id, rootCauses: [], verdicts: [], history: [] } };
  }
  return { statusCode: 200, body: record };
}

/** GET /accuracy?from=&to=&service=: the live accuracy of the findings this caller may see. */
export async function showAccuracy(
  query: Readonly<Record<string, string | undefined>> | null,
  deps: FeedbackDeps,
  sees: (service: string) => boolean,
): Promise<Answer> {
  const q = parseInput(AccuracyQuerySchema, query ?? {}, 'query');
  const now = deps.now().getTime();
  const to = q.to !== undefined ? Date.parse(q.to) : now;
  const from = q.from !== undefined ? Date.parse(q.from) : to - DEFAULT_ACCURACY_DAYS * 86_400_000;
  if (from > to) throw new InputValidationError('query', 'from', 'must not be later than to');
  if (to - from > MAX_ACCURACY_DAYS * 86_400_000) {
    throw new InputValidationError('query', 'from', `must be at most ${MAX_ACCURACY_DAYS} days before to`);
  }
  if (q.service !== undefined && !sees(q.service)) {
    return { statusCode: 403, body: { message: `not allowed to see service ${JSON.stringify(q.service)}` } };
  }
  const fromIso = new Date(from).toISOString();
  const toIso = new Date(to).toISOString();
  const { records, truncated } = await deps.feedback.list(fromIso, toIso);
  const mine = records.filter((r) => sees(r.service) && (q.service === undefined || r.service === q.service));
  return { statusCode: 200, body: { ...accuracyOf(mine, fromIso, toIso), truncated } };
}
