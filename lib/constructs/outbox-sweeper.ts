// The schedule of the SweepOutbox function: every few minutes it sends the incident messages whose
// sender died after claiming them (or that nobody claimed), so no message waits for its incident's
// next change. The event is a clock tick: a tick lost or failed is redone by the next one.

import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { Construct } from 'constructs';
import type { AnalyzerFunction } from './analyzer-function.ts';

export interface OutboxSweeperProps {
  /** The function that sweeps (handler `sweep-outbox`). */
  readonly handler: AnalyzerFunction;
  /** @default Duration.minutes(5) */
  readonly every?: Duration;
}

export class OutboxSweeper extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: OutboxSweeperProps) {
    super(scope, id);
    const every = props.every ?? Duration.minutes(5);
    if (every.toSeconds() < 60) throw new Error(`OutboxSweeper ${id}: every must be at least a minute`);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'cascade-analyzer: send incident messages whose sender died before publishing them',
      schedule: events.Schedule.rate(every),
      // A tick delivered later than the next one would only repeat it; no DLQ: it carries no data.
      targets: [new targets.LambdaFunction(props.handler.function, { retryAttempts: 2, maxEventAge: every })],
    });
    // A failed sweep counts in the function's errors alarm. Lambda's own two retries of it keep its
    // request id, so they go on with the messages it claimed instead of waiting out their lease.
  }
}
