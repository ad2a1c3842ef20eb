// When a change happened, in the words every finding and report uses. Its own module so that the
// reports (notify, recordFailure) use it without the evidence rules.

import type { ChangeNearStart } from '../model.ts';

/** "12 min before the start", or "3 min into the window". */
export function describeWhen(c: Pick<ChangeNearStart, 'minutesBeforeStart'>): string {
  return c.minutesBeforeStart >= 0
    ? `${c.minutesBeforeStart} min before the start`
    : `${-c.minutesBeforeStart} min into the window`;
}
