// Prepare's composition root: its settings from the environment and the clock. No AWS client.

import { type Env, prepareSettings } from '../env.ts';

export function prepareDeps(env: Env = process.env) {
  return { ...prepareSettings(env), now: () => new Date() };
}
