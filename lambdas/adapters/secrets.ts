// Secrets Manager: the paging secrets (PagerDuty routing keys, the webhook's signing secret) read by
// name or ARN when first needed and kept for a few minutes, so that a rotated secret is picked up
// without a cold start and a storm's pages cost one read per secret, not one per page.

import type * as SecretsManager from '@aws-sdk/client-secrets-manager';
import { awsSdk } from './aws-sdk.ts';
import { type ClientOptions, clientConfig } from './clients.ts';
import type { SecretSource } from './ports.ts';

const { GetSecretValueCommand, SecretsManagerClient } = awsSdk<typeof SecretsManager>(
  '@aws-sdk/client-secrets-manager',
);
type SecretsManagerClient = SecretsManager.SecretsManagerClient;

/** How long a value read is used before it is read again (a rotation takes effect within it). */
export const SECRET_TTL_MS = 5 * 60_000;

export class SecretsManagerSource implements SecretSource {
  private readonly cache = new Map<string, { value: string; until: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly now: () => number = Date.now,
    private readonly ttlMs: number = SECRET_TTL_MS,
  ) {}

  async get(secretId: string): Promise<string> {
    const hit = this.cache.get(secretId);
    if (hit !== undefined && hit.until > this.now()) return hit.value;
    const out = await this.client.send(new GetSecretValueCommand({ SecretId: secretId }));
    const value = out.SecretString?.trim();
    if (value === undefined || value === '') {
      throw new Error(`secret ${secretId} has no text value (SecretString is empty or binary)`);
    }
    this.cache.set(secretId, { value, until: this.now() + this.ttlMs });
    return value;
  }
}

export function createSecretsManagerClient(options: ClientOptions = {}): SecretsManagerClient {
  return new SecretsManagerClient(clientConfig(options));
}
