// The pagers against a local receiver that answers as PagerDuty's Events API v2 and a webhook
// consumer do (test/support/page-receiver.ts), with their keys read from Secrets Manager on moto:
// a taken page, a page refused for good (not retried), an outage (thrown, so the outbox keeps the
// message), the signature a receiver checks, and routing per watched service.

import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  PageDeliveryError,
  PagerDutyPager,
  signWebhookBody,
  verifyWebhookSignature,
  WebhookPager,
} from '../../lambdas/adapters/pager.ts';
import { createSecretsManagerClient, SecretsManagerSource } from '../../lambdas/adapters/secrets.ts';
import { clientOptions, type LocalServer, startMotoServer } from '../support/local-servers.ts';
import { type PageReceiver, startPageReceiver } from '../support/page-receiver.ts';

const KEYS = { default: 'd'.repeat(32), payments: 'p'.repeat(32), webhook: 'webhook-signing-key-of-test' };
const TRIGGER = {
  event_action: 'trigger',
  dedup_key: 'inc-1',
  payload: { summary: 's', source: 'x', severity: 'error' },
};

describe('Class: PagerDutyPager and WebhookPager', () => {
  let moto: LocalServer;
  let client: SecretsManagerClient;
  let secrets: SecretsManagerSource;
  let receiver: PageReceiver;

  beforeAll(async () => {
    moto = await startMotoServer();
    client = createSecretsManagerClient(clientOptions(moto.endpoint));
    for (const [name, value] of [
      ['cascade/pagerduty', KEYS.default],
      ['cascade/pagerduty-payments', KEYS.payments],
      ['cascade/webhook', KEYS.webhook],
      ['cascade/not-a-key', 'too short'],
    ] as const)
      await client.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    secrets = new SecretsManagerSource(client);
    receiver = await startPageReceiver(KEYS.webhook);
  }, 120_000);

  afterAll(async () => {
    client?.destroy();
    await receiver?.close();
    await moto?.stop();
  });

  const pd = (routes: ConstructorParameters<typeof PagerDutyPager>[0]['routes']) =>
    new PagerDutyPager({ url: `${receiver.url}/v2/enqueue`, secrets, routes });

  it('should send each event with the routing key of the incident route, read from Secrets Manager', async () => {
    // Prepare
    const pager = pd({
      defaultSecret: 'cascade/pagerduty',
      services: { payments: 'cascade/pagerduty-payments' },
    });
    const before = receiver.received.length;

    // Act
    const a = await pager.deliver({ id: 'inc-1#0', route: 'payments', documents: [TRIGGER] });
    const b = await pager.deliver({ id: 'inc-2#0', route: 'checkout', documents: [TRIGGER] });

    // Assess
    expect([a.outcome, b.outcome]).toEqual(['accepted', 'accepted']);
    const got = receiver.received.slice(before);
    expect(got.map((r) => r.status)).toEqual([202, 202]);
    expect(got.map((r) => (r.json as { routing_key: string }).routing_key)).toEqual([
      KEYS.payments,
      KEYS.default,
    ]);
  });

  it('should report a page PagerDuty refuses, or one with no route or a bad key, as rejected without retrying', async () => {
    // Prepare
    const pager = pd({ services: { payments: 'cascade/pagerduty-payments', web: 'cascade/not-a-key' } });
    const before = receiver.received.length;

    // Act
    const invalid = await pager.deliver({
      id: 'inc-3#0',
      route: 'payments',
      documents: [
        {
          event_action: 'trigger',
          dedup_key: 'inc-3',
          payload: { summary: '', source: 'x', severity: 'bad' },
        },
      ],
    });
    const unrouted = await pager.deliver({ id: 'inc-4#0', route: 'search', documents: [TRIGGER] });
    const badKey = await pager.deliver({ id: 'inc-5#0', route: 'web', documents: [TRIGGER] });

    // Assess
    expect(invalid).toMatchObject({
      outcome: 'rejected',
      detail: expect.stringMatching(/answered 400.*summary/),
    });
    expect(unrouted).toEqual({ outcome: 'rejected', detail: 'no PagerDuty routing key for service search' });
    expect(badKey.outcome).toBe('rejected');
    expect(badKey.detail).toMatch(/cascade\/not-a-key is not a 32-character/);
    expect(badKey.detail).not.toContain('too short');
    expect(receiver.received.length - before).toBe(1);
  });

  it('should throw while the receiver answers 500, so that the message stays in the outbox', async () => {
    // Prepare
    const pager = pd({ defaultSecret: 'cascade/pagerduty' });
    receiver.down = true;

    // Act / Assess
    try {
      await expect(pager.deliver({ id: 'inc-6#0', route: undefined, documents: [TRIGGER] })).rejects.toThrow(
        PageDeliveryError,
      );
    } finally {
      receiver.down = false;
    }
    const closed = new PagerDutyPager({
      url: 'http://127.0.0.1:9/v2/enqueue',
      secrets,
      routes: { defaultSecret: 'cascade/pagerduty' },
    });
    await expect(closed.deliver({ id: 'inc-6#0', route: undefined, documents: [TRIGGER] })).rejects.toThrow(
      /unreachable/,
    );
  });

  it('should sign each webhook document over its timestamp and body, so that a receiver checks origin and replay', async () => {
    // Prepare
    const at = Date.parse('2026-11-20T03:16:00.000Z');
    const hook = new WebhookPager({
      url: `${receiver.url}/hooks/cascade`,
      secret: 'cascade/webhook',
      secrets,
      now: () => Date.now(),
    });
    const before = receiver.received.length;

    // Act
    const receipt = await hook.deliver({
      id: 'inc-7#0',
      route: undefined,
      documents: [{ id: 'inc-7#0', kind: 'opened' }],
    });

    // Assess: the receiver verified it; the headers carry the id, the timestamp and the signature.
    expect(receipt.outcome).toBe('accepted');
    const [got] = receiver.received.slice(before);
    expect(got?.status).toBe(204);
    expect(got?.headers['x-cascade-message-id']).toBe('inc-7#0');
    const body = '{"id":"inc-7#0"}';
    const signature = signWebhookBody(KEYS.webhook, at / 1000, body);
    expect(signature).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(
      verifyWebhookSignature(KEYS.webhook, { timestamp: String(at / 1000), signature }, body, at / 1000),
    ).toEqual({ ok: true });
    // Another key, another body, or an old request replayed are refused.
    expect(
      verifyWebhookSignature('other', { timestamp: String(at / 1000), signature }, body, at / 1000).ok,
    ).toBe(false);
    expect(
      verifyWebhookSignature(KEYS.webhook, { timestamp: String(at / 1000), signature }, `${body} `, at / 1000)
        .ok,
    ).toBe(false);
    expect(
      verifyWebhookSignature(
        KEYS.webhook,
        { timestamp: String(at / 1000), signature },
        body,
        at / 1000 + 301,
      ),
    ).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/more than 300 s/),
    });
  });

  it('should be refused by a receiver when signed with another key', async () => {
    // Prepare
    const wrong = new WebhookPager({
      url: `${receiver.url}/hooks/cascade`,
      secret: 'cascade/pagerduty',
      secrets,
    });

    // Act
    const receipt = await wrong.deliver({ id: 'inc-8#0', route: undefined, documents: [{ id: 'inc-8#0' }] });

    // Assess: 401 is for good; retrying with the same key cannot help.
    expect(receipt).toMatchObject({ outcome: 'rejected', detail: expect.stringMatching(/answered 401/) });
  });
});
