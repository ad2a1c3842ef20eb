// The one semver comparison the Lambda bundles keep (lambdas/bundling/semver.ts): what cls-hooked
// asks when it loads (is Node at least 8?) and what the X-Ray SDK's v2 patcher asks, answered as
// the semver package answers them.

import { describe, expect, it } from 'vitest';
import { gte } from '../../lambdas/bundling/semver.ts';

describe('semver gte, as bundled', () => {
  it('should compare major, then minor, then patch, numerically', () => {
    expect(gte(process.versions.node, '8.0.0')).toBe(true);
    expect(gte('22.11.0', '8.0.0')).toBe(true);
    expect(gte('2.1000.0', '2.2.0')).toBe(true);
    expect(gte('2.2.0', '2.1000.0')).toBe(false);
    expect(gte('1.2.3', '1.2.3')).toBe(true);
    expect(gte('1.2.3', '1.2.4')).toBe(false);
    expect(gte('v20.1.0', '20.0.9')).toBe(true);
  });

  it('should refuse what is not a version, naming it', () => {
    expect(() => gte('latest', '1.0.0')).toThrow(/Invalid Version: latest/);
    expect(() => gte('1.0.0', '')).toThrow(/Invalid Version/);
  });
});
