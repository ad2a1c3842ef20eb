// CloudWatch alarms per watched service. X-Ray publishes one metric per group to CloudWatch,
// `ApproximateTraceCount` in `AWS/X-Ray` with dimension `GroupName`, so each service gets
// three groups — all its traces, its fault traces, its traces slower than the p99 threshold —
// and two alarms on their ratios: fault share above `faultRate`, and slow share above 1 %
// (which is exactly "p99 above the threshold").

import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as xray from 'aws-cdk-lib/aws-xray';
import { Construct } from 'constructs';
import { ALARM_PREFIX, serviceAlarmName, serviceFilter, xrayGroupName } from '../naming.ts';

/** A watched service with its defaults filled in (lib/config.ts validates and completes it). */
export interface WatchedServiceSettings {
  readonly name: string;
  readonly filterExpression?: string;
  readonly faultRate: number;
  readonly p99Seconds: number;
  readonly minTracesPerMinute: number;
  readonly cpuMetric?: {
    readonly namespace: string;
    readonly metricName: string;
    readonly dimensions: Readonly<Record<string, string>>;
  };
}

export interface ServiceAlarmsProps {
  readonly services: readonly WatchedServiceSettings[];
  /** @default 'cascade-analyzer' */
  readonly alarmPrefix?: string;
}

export interface WatchedServiceResources {
  readonly service: WatchedServiceSettings;
  readonly groupName: string;
  readonly faultAlarm: cloudwatch.Alarm;
  readonly latencyAlarm: cloudwatch.Alarm;
}

export class ServiceAlarms extends Construct {
  public readonly watched: readonly WatchedServiceResources[];
  public readonly alarmNames: readonly string[];

  constructor(scope: Construct, id: string, props: ServiceAlarmsProps) {
    super(scope, id);
    const prefix = props.alarmPrefix ?? ALARM_PREFIX;
    this.watched = props.services.map((svc, i) => {
      const base = serviceFilter(svc.name, svc.filterExpression);
      const groups = {
        all: this.group(`Group${i}`, xrayGroupName(svc.name, 'all'), base),
        faults: this.group(`FaultGroup${i}`, xrayGroupName(svc.name, 'faults'), `${base} AND fault = true`),
        slow: this.group(
          `SlowGroup${i}`,
          xrayGroupName(svc.name, 'slow'),
          `${base} AND responsetime > ${svc.p99Seconds}`,
        ),
      };
      const traces = (g: xray.CfnGroup, label: string) =>
        new cloudwatch.Metric({
          namespace: 'AWS/X-Ray',
          metricName: 'ApproximateTraceCount',
          dimensionsMap: { GroupName: g.groupName },
          statistic: 'Sum',
          period: Duration.minutes(1),
          label,
        });
      const total = traces(groups.all, 'traces');
      const share = (part: xray.CfnGroup, label: string) =>
        new cloudwatch.MathExpression({
          // Below the traffic floor the share is 0: a handful of traces is not an incident.
          expression: `IF(total >= ${svc.minTracesPerMinute}, 100 * FILL(part, 0) / total, 0)`,
          usingMetrics: { total, part: traces(part, label) },
          period: Duration.minutes(1),
          label: `${label} %`,
        });
      const faultAlarm = new cloudwatch.Alarm(this, `FaultRate${i}`, {
        alarmName: serviceAlarmName(prefix, svc.name, 'fault-rate'),
        alarmDescription: `Fault share of ${svc.name}'s traces above ${svc.faultRate * 100} % (X-Ray group ${groups.faults.groupName})`,
        metric: share(groups.faults, 'fault traces'),
        threshold: svc.faultRate * 100,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      const latencyAlarm = new cloudwatch.Alarm(this, `P99${i}`, {
        alarmName: serviceAlarmName(prefix, svc.name, 'p99'),
        alarmDescription: `p99 of ${svc.name} above ${svc.p99Seconds} s: more than 1 % of its traces are slower (X-Ray group ${groups.slow.groupName})`,
        metric: share(groups.slow, 'slow traces'),
        threshold: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      return { service: svc, groupName: groups.all.groupName, faultAlarm, latencyAlarm };
    });
    this.alarmNames = this.watched.flatMap((w) => [
      serviceAlarmName(prefix, w.service.name, 'fault-rate'),
      serviceAlarmName(prefix, w.service.name, 'p99'),
    ]);
  }

  private group(id: string, groupName: string, filterExpression: string): xray.CfnGroup {
    return new xray.CfnGroup(this, id, {
      groupName,
      filterExpression,
      insightsConfiguration: { insightsEnabled: false, notificationsEnabled: false },
    });
  }
}
