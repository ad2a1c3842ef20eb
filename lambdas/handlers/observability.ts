// Logger, Tracer and Metrics, created once per execution environment and shared by the handler's
// middlewares and the SDK clients. Service name, namespace and log level come from the
// POWERTOOLS_* variables the stack sets; constructing them builds no AWS client.

import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';

export const logger = new Logger();
export const tracer = new Tracer();
export const metrics = new Metrics();

/**
 * A middy handler with the Powertools middlewares every function uses, middleware first:
 * request-scoped log keys, a traced handler (responses left out when they can outgrow an X-Ray
 * segment) and metrics flushed with the cold-start count.
 */
export function instrumented<TEvent, TResult>(options: { captureResponse?: boolean } = {}) {
  return middy<TEvent, TResult>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(captureLambdaHandler(tracer, { captureResponse: options.captureResponse ?? true }))
    .use(logMetrics(metrics, { captureColdStartMetric: true }));
}
