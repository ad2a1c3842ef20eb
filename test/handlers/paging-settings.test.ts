// PAGING, as the sending functions read it at cold start: absent is no paging; a bad value fails
// naming the variable and the field.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../../lambdas/handlers/errors.ts';
import { pagingSettings } from '../../lambdas/handlers/paging-settings.ts';
import { pagingFrom } from '../../lambdas/handlers/wiring/paging.ts';

describe('Function: pagingSettings', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('should read no paging when PAGING is absent or blank', () => {
    // Act / Assess
    expect(pagingSettings({})).toBeUndefined();
    expect(pagingSettings({ PAGING: '  ' })).toBeUndefined();
    expect(pagingFrom({})).toEqual({});
  });

  it('should read the secrets and URLs, and build one pager per channel', () => {
    // Prepare
    // Lambda sets the region; the SDK client reads it from the process.
    vi.stubEnv('AWS_REGION', 'eu-west-1');
    const env = {
      PAGING: JSON.stringify({
        pagerDuty: { routingKeySecret: 'cascade/pd', services: { payments: 'cascade/pd-payments' } },
        webhook: { url: 'https://hooks.example.com/x', secret: 'cascade/hook' },
        incidentUrl: 'https://ops.example.com/{incidentId}',
      }),
    };

    // Act
    const paging = pagingFrom(env);

    // Assess
    expect(pagingSettings(env)?.pagerDuty?.services).toEqual({ payments: 'cascade/pd-payments' });
    expect(paging.pagers?.map((p) => p.channel)).toEqual(['pagerduty', 'webhook']);
    expect(paging.pageOptions).toEqual({ incidentUrl: 'https://ops.example.com/{incidentId}' });
  });

  it.each([
    ['{', /PAGING is not valid JSON/],
    ['{"webhook":{"url":"ftp://x","secret":"s"}}', /PAGING: webhook\.url: must be an http\(s\) URL/],
    ['{"webhook":{"url":"https://x"}}', /PAGING: webhook\.secret/],
    ['{"pagerDuty":{}}', /PAGING: pagerDuty: give routingKeySecret or services/],
  ])('should refuse PAGING=%s naming the field', (value, message) => {
    // Act / Assess
    expect(() => pagingSettings({ PAGING: value })).toThrow(ConfigurationError);
    expect(() => pagingSettings({ PAGING: value })).toThrow(message);
  });
});
