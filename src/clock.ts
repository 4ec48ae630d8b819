/** The clock, passed in so that services and tests agree on "now". Epoch milliseconds. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that stands still until moved; for tests. */
export function fixedClock(
  epochMs: number,
): Clock & { advance(ms: number): void; set(ms: number): void } {
  let now = epochMs;
  return {
    now: () => now,
    advance: (ms) => {
      now += ms;
    },
    set: (ms) => {
      now = ms;
    },
  };
}
