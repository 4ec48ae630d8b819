/**
 * Fast UTC offsets for IANA zones.
 *
 * Temporal answers every zone question correctly but costs microseconds per call; the engine
 * and the recurrence expander ask millions of times. `zoneRules` asks Temporal once per
 * 32-day bucket for the offset at the bucket start and the transitions inside it, then
 * answers from that table.
 *
 * "Local ms" is a wall-clock time read as if it were UTC: 2026-03-08T02:30 local is
 * `Date.UTC(2026, 2, 8, 2, 30)`-like milliseconds, computed without `Date`.
 */
import { Temporal } from "temporal-polyfill";

export interface ZoneRules {
  readonly timeZone: string;
  /** Offset from UTC in ms at this instant (local = utc + offset). */
  offsetMsAt(epochMs: number): number;
  /**
   * Epoch ms of a local wall-clock time. RFC 5545 3.3.5: a time that occurs twice (autumn
   * overlap) is the first occurrence; a time that does not occur (spring gap) is read with the
   * offset before the gap, so it moves forward by the gap's length (Temporal's "compatible").
   */
  localToEpochMs(localMs: number): number;
  /**
   * The offset in ms when it is the same at every instant of `[fromMs, toMs]`, else undefined.
   * Optional: callers without it ask instant by instant.
   */
  constantOffsetMs?(fromMs: number, toMs: number): number | undefined;
}

const BUCKET_MS = 32 * 86_400_000;
const DAY_MS = 86_400_000;

interface Bucket {
  /** Offset in force at the bucket start. */
  firstOffsetMs: number;
  /** Instants of transitions inside the bucket, ascending. */
  transitionsEpochMs: number[];
  /** Offset in force from the matching transition on. */
  offsetsMs: number[];
}

class IanaZoneRules implements ZoneRules {
  readonly timeZone: string;
  readonly #buckets = new Map<number, Bucket>();

  constructor(timeZone: string) {
    this.timeZone = timeZone;
  }

  offsetMsAt(epochMs: number): number {
    const bucket = this.#bucket(Math.floor(epochMs / BUCKET_MS));
    let offset = bucket.firstOffsetMs;
    const transitions = bucket.transitionsEpochMs;
    for (let i = 0; i < transitions.length; i++) {
      if (epochMs >= (transitions[i] as number)) offset = bucket.offsetsMs[i] as number;
      else break;
    }
    return offset;
  }

  constantOffsetMs(fromMs: number, toMs: number): number | undefined {
    const offset = this.offsetMsAt(fromMs);
    for (let index = Math.floor(fromMs / BUCKET_MS); index * BUCKET_MS <= toMs; index++) {
      const bucket = this.#bucket(index);
      // A later bucket starts with the offset in force at its start.
      if (index * BUCKET_MS > fromMs && bucket.firstOffsetMs !== offset) return undefined;
      for (const transition of bucket.transitionsEpochMs) {
        if (transition > fromMs && transition <= toMs) return undefined;
      }
    }
    return offset;
  }

  localToEpochMs(localMs: number): number {
    const offsetBefore = this.offsetMsAt(localMs - DAY_MS);
    const offsetAfter = this.offsetMsAt(localMs + DAY_MS);
    const early = localMs - Math.max(offsetBefore, offsetAfter);
    const late = localMs - Math.min(offsetBefore, offsetAfter);
    const earlyValid = this.offsetMsAt(early) === localMs - early;
    if (earlyValid) return early;
    const lateValid = this.offsetMsAt(late) === localMs - late;
    if (lateValid) return late;
    // In a gap: read with the offset before the gap.
    return localMs - offsetBefore;
  }

  #bucket(index: number): Bucket {
    let bucket = this.#buckets.get(index);
    if (bucket === undefined) {
      bucket = this.#load(index);
      this.#buckets.set(index, bucket);
    }
    return bucket;
  }

  #load(index: number): Bucket {
    const startMs = index * BUCKET_MS;
    const endMs = startMs + BUCKET_MS;
    const start = Temporal.Instant.fromEpochMilliseconds(startMs).toZonedDateTimeISO(this.timeZone);
    const firstOffsetMs = start.offsetNanoseconds / 1_000_000;
    const transitionsEpochMs: number[] = [];
    const offsetsMs: number[] = [];
    let cursor: Temporal.ZonedDateTime | null = start;
    for (;;) {
      cursor = cursor.getTimeZoneTransition("next");
      if (cursor === null || cursor.epochMilliseconds >= endMs) break;
      transitionsEpochMs.push(cursor.epochMilliseconds);
      offsetsMs.push(cursor.offsetNanoseconds / 1_000_000);
    }
    return { firstOffsetMs, transitionsEpochMs, offsetsMs };
  }
}

/** A zone with one fixed offset, such as UTC. */
export function fixedOffsetRules(timeZone: string, offsetMs: number): ZoneRules {
  return {
    timeZone,
    offsetMsAt: () => offsetMs,
    constantOffsetMs: () => offsetMs,
    localToEpochMs: (localMs) => localMs - offsetMs,
  };
}

const cache = new Map<string, ZoneRules>();

/**
 * Offset rules for an IANA zone, cached per zone.
 * @throws RangeError for a name that is not an IANA zone.
 * @example zoneRules("Europe/Berlin").offsetMsAt(0) // 3_600_000
 */
export function zoneRules(timeZone: string): ZoneRules {
  let rules = cache.get(timeZone);
  if (rules === undefined) {
    if (!isValidTimeZone(timeZone)) throw new RangeError(`unknown time zone: ${timeZone}`);
    rules =
      timeZone === "UTC" || timeZone === "Etc/UTC"
        ? fixedOffsetRules(timeZone, 0)
        : new IanaZoneRules(timeZone);
    cache.set(timeZone, rules);
  }
  return rules;
}

const validity = new Map<string, boolean>();
/** The runtime's canonical zone names, read once: most names are answered without Temporal. */
let canonicalZones: Set<string> | undefined;

/** Whether `name` is an IANA zone this runtime knows ("Europe/Berlin", "UTC"). */
export function isValidTimeZone(name: string): boolean {
  let valid = validity.get(name);
  if (valid === undefined) {
    canonicalZones ??= new Set(
      typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [],
    );
    if (canonicalZones.has(name)) {
      validity.set(name, true);
      return true;
    }
    // Aliases ("US/Eastern", "Etc/UTC") and names the list leaves out: ask Temporal.
    try {
      // Offsets such as "+01:00" are accepted by Temporal but are not zone names.
      valid =
        /^[A-Za-z]/.test(name) &&
        Temporal.ZonedDateTime.from({
          year: 2000,
          month: 1,
          day: 1,
          timeZone: name,
        }).timeZoneId.length > 0;
    } catch {
      valid = false;
    }
    validity.set(name, valid);
  }
  return valid;
}
