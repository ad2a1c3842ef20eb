// The REST API: IAM auth on every route, request validation, throttling, access logs, tracing.
// POST /analyses starts an analysis; GET /analyses/{id}, /analyses?service=…, /analyses/{id}/report read findings;
// GET /incidents?service=…, /incidents/{id}, /incidents/{id}/postmortem read incidents;
// POST|GET /findings/{id}/feedback and GET /accuracy: verdicts (issue 21).

import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { AnalyzerFunction } from './analyzer-function.ts';

export interface AnalysesApiProps {
  readonly handler: AnalyzerFunction;
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export class AnalysesApi extends Construct {
  public readonly api: apigw.RestApi;
  public readonly accessLogs: logs.LogGroup;

  constructor(scope: Construct, id: string, props: AnalysesApiProps) {
    super(scope, id);
    this.accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.THREE_MONTHS });
    this.api = new apigw.RestApi(this, 'Api', {
      // API Gateway's metrics are keyed by this name: the stack's own, so that two stacks in one
      // account and region do not share the 5xx alarm's metric.
      restApiName: `${Stack.of(this).stackName}-api`,
      description: 'cascade-analyzer: start analyses and read findings',
      cloudWatchRole: true,
      endpointTypes: [apigw.EndpointType.REGIONAL],
      deployOptions: {
        stageName: 'v1',
        tracingEnabled: true,
        throttlingRateLimit: props.rateLimit,
        throttlingBurstLimit: props.burstLimit,
        loggingLevel: apigw.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigw.LogGroupLogDestination(this.accessLogs),
        accessLogFormat: apigw.AccessLogFormat.jsonWithStandardFields(),
      },
      defaultMethodOptions: { authorizationType: apigw.AuthorizationType.IAM },
    });
    const integration = new apigw.LambdaIntegration(props.handler.function, { proxy: true });
    const validateBody = new apigw.RequestValidator(this, 'BodyValidator', {
      restApi: this.api,
      validateRequestBody: true,
      validateRequestParameters: true,
    });
    const validateParams = new apigw.RequestValidator(this, 'ParamsValidator', {
      restApi: this.api,
      validateRequestBody: false,
      validateRequestParameters: true,
    });
    const startModel = this.api.addModel('StartAnalysis', {
      contentType: 'application/json',
      schema: {
        schema: apigw.JsonSchemaVersion.DRAFT4,
        type: apigw.JsonSchemaType.OBJECT,
        required: ['service'],
        additionalProperties: false,
        properties: {
          service: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 256 },
          window: {
            type: apigw.JsonSchemaType.OBJECT,
            required: ['start', 'end'],
            additionalProperties: false,
            properties: {
              start: { type: apigw.JsonSchemaType.STRING, minLength: 10, maxLength: 40 },
              end: { type: apigw.JsonSchemaType.STRING, minLength: 10, maxLength: 40 },
            },
          },
        },
      },
    });
    const analyses = this.api.root.addResource('analyses');
    analyses.addMethod('POST', integration, {
      requestValidator: validateBody,
      requestModels: { 'application/json': startModel },
    });
    // Both lists: one service's items by time, a page at a time.
    const listParams = {
      'method.request.querystring.service': true,
      'method.request.querystring.from': false,
      'method.request.querystring.to': false,
      'method.request.querystring.limit': false,
      'method.request.querystring.next': false,
    };
    analyses.addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: listParams,
    });
    const one = analyses.addResource('{id}');
    one.addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: { 'method.request.path.id': true },
    });
    one.addResource('report').addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: { 'method.request.path.id': true },
    });
    const incidents = this.api.root.addResource('incidents');
    incidents.addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: listParams,
    });
    const incident = incidents.addResource('{id}');
    incident.addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: { 'method.request.path.id': true },
    });
    incident.addResource('postmortem').addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: { 'method.request.path.id': true, 'method.request.querystring.format': false },
    });
    // Issue 21: on-call verdicts on a finding, and the live accuracy they add up to.
    const feedback = this.api.root.addResource('findings').addResource('{id}').addResource('feedback');
    feedback.addMethod('POST', integration, {
      requestValidator: validateBody,
      requestParameters: { 'method.request.path.id': true },
      requestModels: {
        'application/json': this.api.addModel('Verdict', {
          contentType: 'application/json',
          schema: VERDICT_MODEL,
        }),
      },
    });
    feedback.addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: { 'method.request.path.id': true },
    });
    this.api.root.addResource('accuracy').addMethod('GET', integration, {
      requestValidator: validateParams,
      requestParameters: {
        'method.request.querystring.from': false,
        'method.request.querystring.to': false,
        'method.request.querystring.service': false,
      },
    });
  }
}

/** POST /findings/{id}/feedback's body, as the handler checks it (api-feedback.ts, with its reasons). */
const VERDICT_MODEL: apigw.JsonSchema = {
  schema: apigw.JsonSchemaVersion.DRAFT4,
  type: apigw.JsonSchemaType.OBJECT,
  required: ['verdict'],
  additionalProperties: false,
  properties: {
    verdict: { type: apigw.JsonSchemaType.STRING, enum: ['right', 'wrong', 'partly'] },
    // X-Ray's longest service name.
    actual: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 200 },
    note: { type: apigw.JsonSchemaType.STRING, maxLength: 500 },
    by: { type: apigw.JsonSchemaType.STRING, minLength: 1, maxLength: 256 },
  },
};
