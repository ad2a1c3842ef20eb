// RecordFailure, the workflow's Catch target: whatever step failed, a FAILED finding is stored
// (once per analysisId) and notified, so no alarm goes unanswered. It reads what it can of the
// failed step's input and never throws because that input is malformed.

import { createHash, randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type {
  FindingLookup,
  FindingsOutbox,
  FindingsWriter,
  Notifier,
  PutOutcome,
} from '../adapters/ports.ts';
import type { Finding, Trigger } from '../core/model.ts';
import { ENGINE_VERSION } from '../core/version.ts';
import { AlarmDetailSchema, alarmAnalysisId, alarmArnOf, resolveAlarmService } from './alarm-event.ts';
import { coldStart, inLambda } from './cold-start.ts';
import {
  type AlarmRef,
  AlarmRefSchema,
  AnalysisIdSchema,
  FailureSchema,
  IncidentRefSchema,
  reportPathFor,
  TriggerSchema,
  type WatchedService,
  WindowSchema,
} from './contracts.ts';
import { attachFinding, type FlushDeps, flushIncident } from './incidents.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface RecordFailureDeps {
  readonly repository: FindingsWriter & FindingLookup & FindingsOutbox;
  readonly notifier: Notifier;
  /** To name the service of a failed alarm event; may be empty. */
  readonly watched: readonly WatchedService[];
  readonly alarmPrefix: string;
  /** Incidents: a failed alarm-driven analysis still joins (or opens) its incident. */
  readonly incident?: FlushDeps;
}

export interface RecordedFailure {
  readonly analysisId: string;
  readonly stored: PutOutcome;
  readonly messageId: string | null;
  readonly incidentId?: string;
  /** Incident messages sent by this call. */
  readonly incidentMessages?: readonly string[];
}

/** Longest error text kept in a finding: enough for a message, too short for a dump. */
const MAX_ERROR_CHARS = 1000;

export async function recordFailure(input: unknown, deps: RecordFailureDeps): Promise<RecordedFailure> {
  const finding = failedFinding(input, deps);
  const stored = await deps.repository.put(finding);
  const alarm = alarmRefOf(input);
  if (alarm !== undefined && deps.incident !== undefined) {
    // Whatever is stored counts: a COMPLETED finding whose Correlate or Notify failed is attached and
    // sent as such; otherwise the FAILED one. Attaching twice changes nothing, and the outbox sends
    // what an earlier attempt decided but never sent.
    const current = (await deps.repository.get(finding.analysisId)) ?? finding;
    const service = finding.trigger.service ?? 'unknown';
    const attached = await attachFinding(current, alarm, service, [], deps.incident);
    const sent = await flushIncident(attached.incident.incidentId, claimantOf(input), deps.incident);
    return {
      analysisId: finding.analysisId,
      stored,
      messageId: null,
      incidentId: attached.incident.incidentId,
      incidentMessages: sent,
    };
  }
  // 'exists': this analysis already has a finding — maybe COMPLETED, with Notify the step that
  // failed. Whatever is stored is sent, unless its outbox flag says it was.
  if (await deps.repository.isNotified(finding.analysisId)) {
    return { analysisId: finding.analysisId, stored, messageId: null };
  }
  const current =
    stored === 'created' ? finding : ((await deps.repository.get(finding.analysisId)) ?? finding);
  const { messageId } = await deps.notifier.publish(current, reportPathFor(current.analysisId));
  await deps.repository.markNotified(current.analysisId, messageId);
  return { analysisId: finding.analysisId, stored, messageId };
}

/** The FAILED finding for a Catch payload `{input, error: {Error, Cause}}`, whatever it holds. */
export function failedFinding(
  payload: unknown,
  deps: Pick<RecordFailureDeps, 'watched' | 'alarmPrefix'>,
): Finding {
  const parsed = FailureSchema.safeParse(payload);
  const original = parsed.success ? withoutCatchError(parsed.data.input) : payload;
  const error = describeError(parsed.success ? parsed.data.error : {});
  const obj = isRecord(original) ? original : {};
  const alarm = readAlarm(obj, deps);

  const analysisId = valid(AnalysisIdSchema, obj.analysisId) ?? alarm?.analysisId ?? fallbackId(original);
  const trigger = readTrigger(obj, alarm);
  const step = failedStep(obj);
  return {
    analysisId,
    status: 'FAILED',
    method: 'engine',
    trigger,
    window: valid(WindowSchema, obj.window) ?? null,
    baselineWindow: valid(WindowSchema, obj.baseline) ?? null,
    rootCauses: [],
    dependencyChain: [],
    cascade: { paths: [] },
    services: [],
    recommendations: [],
    // Nothing was measured; 0 rather than a reassuring 1 keeps failed analyses at the top of a
    // "least healthy first" view.
    systemHealth: 0,
    summary: `The analysis of ${trigger.service === 'unknown' ? 'an unknown service' : trigger.service} failed${step ? ` in the ${step} step` : ''}: ${error} No root cause was determined; the workflow's execution history has the details.`,
    engineVersion: ENGINE_VERSION,
    error,
  };
}

/**
 * Who sends incident messages for this failure: the claim of the Notify that failed (so a message it
 * claimed goes on), else this execution (constant across RecordFailure's retries).
 */
function claimantOf(payload: unknown): string {
  const parsed = FailureSchema.safeParse(payload);
  if (!parsed.success) return `record-failure-${randomUUID()}`;
  const original = withoutCatchError(parsed.data.input);
  const ref = isRecord(original) ? valid(IncidentRefSchema, original.incident) : undefined;
  return ref?.claimToken ?? parsed.data.executionId ?? `record-failure-${randomUUID()}`;
}

/** The alarm behind the failed execution: Prepare's `alarm`, or read from the raw alarm event. */
export function alarmRefOf(payload: unknown): AlarmRef | undefined {
  const parsed = FailureSchema.safeParse(payload);
  const original = parsed.success ? withoutCatchError(parsed.data.input) : payload;
  const obj = isRecord(original) ? original : {};
  const ref = valid(AlarmRefSchema, obj.alarm);
  if (ref !== undefined) return ref;
  const detail = isRecord(obj.detail) ? obj.detail : undefined;
  const state = isRecord(detail?.state) ? detail.state : undefined;
  const name = detail?.alarmName;
  const ts = typeof state?.timestamp === 'string' ? Date.parse(state.timestamp) : Number.NaN;
  if (typeof name !== 'string' || name === '' || Number.isNaN(ts)) return undefined;
  const resources = Array.isArray(obj.resources) ? obj.resources : [];
  return { key: alarmArnOf(resources) ?? name, name, firedAt: new Date(ts).toISOString() };
}

/**
 * Errors of our own making: their messages are written for the reader (a bad field, an unknown
 * service) and name nothing secret. Every other message (AWS SDK errors carry role ARNs, account
 * ids, request ids) stays in the logs; the finding gets its class and a plain sentence.
 */
const OWN_ERRORS: ReadonlySet<string> = new Set([
  'InputValidationError',
  'GraphInputError',
  'UnknownServiceError',
  'UnknownAlarmServiceError',
  'ConfigurationError',
  'IncidentsConflictError',
  'States.DataLimitExceeded',
]);

/** What a failure of each other kind means, without its raw text. */
function safeMessage(name: string): string {
  if (name === 'States.Timeout') return 'the step timed out';
  if (name === 'ExecutionTimedOut') return 'the execution timed out before its steps finished';
  if (name === 'ExecutionAborted') return 'the execution was stopped before its steps finished';
  if (name === 'ExecutionFailed') return 'the execution failed without recording why';
  if (/Throttl|TooManyRequests|ProvisionedThroughputExceeded|RequestLimitExceeded/i.test(name))
    return 'AWS throttled the calls and the retries ran out';
  if (/AccessDenied|Unauthorized|Forbidden|NotAuthorized/i.test(name))
    return 'AWS refused the call: a permission is missing';
  if (/^Lambda\./.test(name)) return 'the Lambda service failed to run the step';
  if (/ServiceUnavailable|InternalServer|InternalFailure|5\d\d/i.test(name)) return 'an AWS service failed';
  return 'unexpected error';
}

/** Redacts what must never reach a reader even from our own messages: ARNs, account ids, access keys. */
export function redact(text: string): string {
  return text
    .replace(/arn:aws[a-z-]*:[^\s"',;)]+/g, '<arn>')
    .replace(/\b(AKIA|ASIA)[A-Z0-9]{12,}\b/g, '<key>')
    .replace(/\b\d{12}\b/g, '<account>');
}

/**
 * "ErrorType: message" from Step Functions' Error and Cause, safe to show: our own errors keep
 * their message, any other gets its class and a plain sentence (details go to the logs only).
 * A Lambda's Cause is JSON with `errorType`, `errorMessage` and a stack trace; the trace never
 * leaves the logs.
 */
export function describeError(error: {
  readonly Error?: string | undefined;
  readonly Cause?: string | undefined;
}): string {
  const type = error.Error?.trim() ?? '';
  let message = error.Cause?.trim() ?? '';
  let causeType = '';
  try {
    const cause = JSON.parse(message) as { errorMessage?: unknown; errorType?: unknown };
    if (isRecord(cause)) {
      message = typeof cause.errorMessage === 'string' ? cause.errorMessage : '';
      causeType = typeof cause.errorType === 'string' ? cause.errorType : '';
    }
  } catch {
    // Not JSON: a plain-text cause (States.Timeout and the like).
  }
  message = message
    .split('\n')
    .filter((line) => !/^\s*at\s/.test(line))
    .join(' ')
    .replace(/\s+/g, ' ')
    .trim();
  const raw = causeType || type;
  const name = /^[A-Za-z][A-Za-z0-9_.:-]{0,79}$/.test(raw) ? raw : raw === '' ? '' : 'Error';
  if (name !== '' && !OWN_ERRORS.has(name)) return `${name}: ${safeMessage(name)}.`;
  message = redact(message);
  const text =
    name && message ? (message.startsWith(name) ? message : `${name}: ${message}`) : name || message;
  const clipped = text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS - 1)}…` : text;
  return clipped === '' ? 'unknown error.' : /[.!?…]$/.test(clipped) ? clipped : `${clipped}.`;
}

interface AlarmFacts {
  readonly analysisId: string;
  readonly alarmName: string;
  readonly service: string | undefined;
}

/** Enough of an alarm event to give the failure the id Prepare would have given it. */
function readAlarm(
  obj: Record<string, unknown>,
  deps: Pick<RecordFailureDeps, 'watched' | 'alarmPrefix'>,
): AlarmFacts | undefined {
  const detail = isRecord(obj.detail) ? obj.detail : undefined;
  const state = isRecord(detail?.state) ? detail.state : undefined;
  const alarmName = detail?.alarmName;
  const timestamp = state?.timestamp;
  if (typeof alarmName !== 'string' || alarmName === '' || typeof timestamp !== 'string') return undefined;
  // Prepare may have failed on this very event: resolve the service only from a detail that parses.
  const parsed = AlarmDetailSchema.safeParse({ ...detail, state: { ...state, value: 'ALARM' } });
  let service: string | undefined;
  if (parsed.success) {
    try {
      service = resolveAlarmService(parsed.data, deps.watched, deps.alarmPrefix).service;
    } catch {
      service = undefined;
    }
  }
  const resources = Array.isArray(obj.resources) ? obj.resources : [];
  return {
    analysisId: alarmAnalysisId({ alarmArn: alarmArnOf(resources), alarmName, stateTimestamp: timestamp }),
    alarmName,
    service,
  };
}

function readTrigger(
  obj: Record<string, unknown>,
  alarm: AlarmFacts | undefined,
): Trigger & { service: string } {
  const t = valid(TriggerSchema, obj.trigger);
  const service =
    valid(TriggerSchema.shape.service, obj.service) ?? t?.service ?? alarm?.service ?? 'unknown';
  if (t)
    return { source: t.source, service, ...(t.alarmName !== undefined ? { alarmName: t.alarmName } : {}) };
  if (alarm) return { source: 'alarm', service, alarmName: alarm.alarmName };
  if (obj.source === 'api') return { source: 'api', service };
  // Unreadable input: the workflow is started by alarms (EventBridge) or the API, and the API always
  // sends a readable request, so an alarm is the likelier source.
  return { source: 'alarm', service };
}

/** Which step's input this is, from its shape (each step adds a field to what it was given). */
function failedStep(obj: Record<string, unknown>): string | undefined {
  if ('stored' in obj) return 'Notify';
  if ('findingKey' in obj) return 'Store';
  if ('metrics' in obj) return 'Analyze';
  if ('snapshotKey' in obj) return 'Enrich';
  if ('baseline' in obj && 'analysisId' in obj) return 'CollectGraph';
  if ('detail' in obj || obj.source === 'api') return 'Prepare';
  return undefined;
}

/** The Catch (`resultPath: $.error`) adds the error to the step's input; it is not part of it. */
function withoutCatchError(input: unknown): unknown {
  if (!isRecord(input) || !('error' in input)) return input;
  const { error: _error, ...rest } = input;
  return rest;
}

/** A stable id for input that names no analysis: the same garbage gives the same id. */
function fallbackId(original: unknown): string {
  let text: string;
  try {
    text = JSON.stringify(original) ?? String(original);
  } catch {
    text = String(original);
  }
  return `failed-${createHash('sha256').update(text).digest('hex').slice(0, 32)}`;
}

function valid<T>(
  schema: { safeParse(v: unknown): { success: true; data: T } | { success: false } },
  value: unknown,
): T | undefined {
  const r = schema.safeParse(value);
  return r.success ? r.data : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// The composition root (wiring/record-failure.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/record-failure.ts')).recordFailureDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, RecordedFailure>().handler(async (event) => {
  const recorded = await recordFailure(event, await dependencies());
  // The whole error, ARNs and all, stays here: the finding and the message carry a safe summary.
  const failure = FailureSchema.safeParse(event);
  logger.error('analysis failed; FAILED finding recorded', {
    ...recorded,
    error: failure.success ? failure.data.error : undefined,
  });
  metrics.addMetric('AnalysisFailed', MetricUnit.Count, 1);
  return recorded;
});
