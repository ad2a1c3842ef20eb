// Prepare: the state machine's input — a CloudWatch alarm event from EventBridge, or the API's
// request — becomes one AnalysisRequest: a deterministic id, the service, and the two windows.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  alarmAnalysisId,
  alarmArnOf,
  parseAlarmEvent,
  resolveAlarmService,
  windowsEndingAt,
  windowsFor,
} from './alarm-event.ts';
import { coldStart, inLambda } from './cold-start.ts';
import {
  type AnalysisRequest,
  AnalysisRequestSchema,
  ApiAnalysisInputSchema,
  type WatchedService,
} from './contracts.ts';
import type { PrepareSettings } from './env.ts';
import { InputValidationError, parseInput } from './errors.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface PrepareDeps extends PrepareSettings {
  /** The clock, for API requests without a window. */
  readonly now: () => Date;
}

export function prepare(input: unknown, deps: PrepareDeps): AnalysisRequest {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InputValidationError(
      'workflow input',
      '(input)',
      'expected an alarm event or an API request object',
    );
  }
  const request =
    (input as { source?: unknown }).source === 'api' ? fromApi(input, deps) : fromAlarm(input, deps);
  // Our own output must satisfy the contract the next state reads; a bug here should fail loudly.
  return AnalysisRequestSchema.parse(request);
}

function fromAlarm(input: unknown, deps: PrepareDeps): AnalysisRequest {
  const event = parseAlarmEvent(input);
  const { detail } = event;
  const { service, watched } = resolveAlarmService(detail, deps.watched, deps.alarmPrefix);
  const analysisId = alarmAnalysisId({
    alarmArn: alarmArnOf(event.resources),
    alarmName: detail.alarmName,
    stateTimestamp: detail.state.timestamp,
  });
  const windows = windowsEndingAt(
    Date.parse(detail.state.timestamp),
    deps.lookbackMinutes,
    deps.baselineMinutes,
  );
  return {
    analysisId,
    service,
    trigger: { source: 'alarm', service, alarmName: detail.alarmName },
    ...windows,
    ...groupOf(watched),
    alarm: {
      key: alarmArnOf(event.resources) ?? detail.alarmName,
      name: detail.alarmName,
      firedAt: new Date(Date.parse(detail.state.timestamp)).toISOString(),
    },
  };
}

function fromApi(input: unknown, deps: PrepareDeps): AnalysisRequest {
  const req = parseInput(ApiAnalysisInputSchema, input, 'API request');
  // The API may ask for any service in the graph; a watched one brings its X-Ray group.
  const watched = deps.watched.find((w) => w.name === req.service);
  const windows = req.window
    ? windowsFor(Date.parse(req.window.start), Date.parse(req.window.end), deps.baselineMinutes)
    : windowsEndingAt(deps.now().getTime(), deps.lookbackMinutes, deps.baselineMinutes);
  return {
    analysisId: req.analysisId,
    service: req.service,
    trigger: { source: 'api', service: req.service },
    ...windows,
    ...groupOf(watched),
  };
}

function groupOf(watched: WatchedService | undefined): { groupName?: string } {
  return watched?.groupName !== undefined ? { groupName: watched.groupName } : {};
}

// The composition root (wiring/prepare.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/prepare.ts')).prepareDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, AnalysisRequest>().handler(async (event) => {
  const request = prepare(event, await dependencies());
  // `service` is a reserved key of the Logger (the function's own service name).
  logger.info('analysis requested', { analysisId: request.analysisId, alarmedService: request.service });
  metrics.addMetric('AnalysisRequested', MetricUnit.Count, 1);
  return request;
});
