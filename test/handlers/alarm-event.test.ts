import { EventBridgeSchema as PowertoolsEventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { describe, expect, it } from 'vitest';
import { EventBridgeSchema } from '../../lambdas/handlers/alarm-event.ts';
import { alarmEvent } from './fakes.ts';

describe('Schema: EventBridge envelope', () => {
  it("should give the same verdict as Powertools' EventBridgeSchema on good and bad envelopes", () => {
    // Prepare: a real alarm event, and the ways an envelope goes wrong.
    const good = alarmEvent();
    const { account: _account, ...noAccount } = good;
    const cases: Record<string, unknown> = {
      good,
      replayed: { ...good, 'replay-name': 'replay-1' },
      'no account': noAccount,
      'numeric version': { ...good, version: 0 },
      'time without zone': { ...good, time: '2025-01-31T10:00:00' },
      'time not a time': { ...good, time: 'yesterday' },
      'resources not a list': { ...good, resources: 'arn:aws:cloudwatch:…' },
      'resource not a string': { ...good, resources: [1] },
      'no detail': { ...good, detail: undefined },
      'not an object': 'alarm',
      null: null,
    };

    for (const [name, envelope] of Object.entries(cases)) {
      // Act
      const ours = EventBridgeSchema.safeParse(envelope);
      const theirs = PowertoolsEventBridgeSchema.safeParse(envelope);

      // Assess
      expect(ours.success, name).toBe(theirs.success);
      if (ours.success && theirs.success) expect(ours.data, name).toEqual(theirs.data);
    }
  });
});
