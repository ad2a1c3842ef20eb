// Logger, Tracer and Metrics, created once per execution environment and shared by the handler's
// middlewares and the SDK clients. Service name, namespace and log level come from the
// POWERTOOLS_* variables the stack sets; constructing them builds no AWS client.

import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export const logger = new Logger();
export const tracer = new Tracer();
export const metrics = new Metrics();
