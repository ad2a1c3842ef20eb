// What the Lambda bundles use of `semver`, in place of the package (HANDLER_BUNDLING aliases it
// here). The X-Ray SDK under Powertools Tracer loads semver twice over for two calls to `gte`:
// cls-hooked asks whether Node is at least 8 when it loads, and the AWS SDK v2 patcher (which the
// functions never use: they run SDK v3) asks whether that SDK is recent enough. The package is
// 28 KiB of every bundle; this is the one comparison they make.

const parts = (version: string): [number, number, number] | undefined => {
  const m = /^\s*[v=]?(\d+)\.(\d+)\.(\d+)/.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
};

/** Whether `a` ≥ `b`, comparing major, minor and patch; a version that is not one throws, as semver does. */
export function gte(a: string, b: string): boolean {
  const x = parts(a);
  const y = parts(b);
  if (!x || !y) throw new TypeError(`Invalid Version: ${x ? b : a}`);
  for (let i = 0; i < 3; i++) {
    if ((x[i] as number) !== (y[i] as number)) return (x[i] as number) > (y[i] as number);
  }
  return true;
}
