/**
 * fast-check arbitraries for hostile recurrence rules: every frequency, absurd COUNT and
 * INTERVAL, BY* lists from empty to thousands of values (in and out of range), UNTIL in every
 * form, unknown and repeated parts, and junk.
 */
import fc from "fast-check";

const FREQS = ["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY"];
const DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"];

const number = fc.oneof(
  fc.integer({ min: -400, max: 400 }),
  fc.constantFrom(0, 1, -1, 53, 366, -366, 2 ** 31, 1e12),
);
const list = (min: number, max: number) =>
  fc.oneof(
    fc.array(number, { maxLength: 12 }).map((values) => values.join(",")),
    fc.constant(Array.from({ length: max - min + 1 }, (_, i) => min + i).join(",")),
    fc.array(fc.integer({ min, max }), { maxLength: 3_000 }).map((values) => values.join(",")),
  );

const part = fc.oneof(
  fc.constantFrom(...FREQS).map((f) => `FREQ=${f}`),
  fc.oneof(number, fc.constantFrom(999_999_999, 1e15)).map((n) => `INTERVAL=${n}`),
  fc.oneof(number, fc.constantFrom(1e9, 2 ** 53)).map((n) => `COUNT=${n}`),
  fc
    .constantFrom("20261231T235959Z", "20261231", "19000101T000000", "99991231T000000Z", "2026")
    .map((u) => `UNTIL=${u}`),
  list(0, 60).map((v) => `BYSECOND=${v}`),
  list(0, 59).map((v) => `BYMINUTE=${v}`),
  list(0, 23).map((v) => `BYHOUR=${v}`),
  list(1, 31).map((v) => `BYMONTHDAY=${v}`),
  list(-366, 366).map((v) => `BYYEARDAY=${v}`),
  list(-53, 53).map((v) => `BYWEEKNO=${v}`),
  list(1, 12).map((v) => `BYMONTH=${v}`),
  list(-366, 366).map((v) => `BYSETPOS=${v}`),
  fc
    .array(fc.tuple(fc.integer({ min: -60, max: 60 }), fc.constantFrom(...DAYS)), { maxLength: 40 })
    .map((days) => `BYDAY=${days.map(([n, d]) => (n === 0 ? d : `${n}${d}`)).join(",")}`),
  fc.constantFrom(...DAYS).map((d) => `WKST=${d}`),
  fc.string({ maxLength: 30 }),
);

/** An RRULE value (without "RRULE:"), usually starting with a FREQ. */
export const rruleText = fc
  .tuple(fc.constantFrom(...FREQS), fc.array(part, { maxLength: 9 }), fc.boolean())
  .map(([freq, parts, withFreq]) => [...(withFreq ? [`FREQ=${freq}`] : []), ...parts].join(";"));

const inRange = (min: number, max: number) =>
  fc.oneof(
    fc.constant(Array.from({ length: max - min + 1 }, (_, i) => min + i).join(",")),
    fc
      .uniqueArray(fc.integer({ min, max }), { minLength: 1, maxLength: 40 })
      .map((values) => values.join(",")),
  );

/** A rule RFC 5545 accepts, often with huge BY* products: what a hostile feed sends. */
export const validRruleText = fc
  .tuple(
    fc.constantFrom(...FREQS),
    fc.option(inRange(0, 59).map((v) => `BYSECOND=${v}`)),
    fc.option(inRange(0, 59).map((v) => `BYMINUTE=${v}`)),
    fc.option(inRange(0, 23).map((v) => `BYHOUR=${v}`)),
    fc.option(inRange(1, 31).map((v) => `BYMONTHDAY=${v}`)),
    fc.option(inRange(1, 12).map((v) => `BYMONTH=${v}`)),
    fc.option(fc.integer({ min: 1, max: 1_000_000 }).map((n) => `COUNT=${n}`)),
    fc.option(fc.integer({ min: 1, max: 1_000 }).map((n) => `INTERVAL=${n}`)),
    fc.option(fc.constantFrom("BYSETPOS=1", "BYSETPOS=-1,1,100")),
  )
  .map(([freq, ...parts]) =>
    [`FREQ=${freq}`, ...parts.filter((p): p is string => p !== null)].join(";"),
  );
