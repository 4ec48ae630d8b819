/**
 * The organisation a load run drives, made through Ally's own commands on the real clock (the
 * servers run on it too): a signed-up owner with an API token, interviewers who accepted their
 * invitations and saved a profile (UTC, weekdays 09:00–17:00), pools of them, a job, a candidate,
 * and interview requests of four kinds:
 *
 * - `page`: a 2-session loop (60 then 45 minutes, one interviewer of the pool of 30 each) over
 *   five weekdays, sent to a candidate of its own, whose emailed booking link the run opens;
 * - `options`: the same loop on pools of 10, 30 and 100, left as drafts;
 * - `distinct`: one 45-minute session with one named interviewer in a one-hour window of its
 *   own (09:00 on a weekday, interviewer k mod pool, day k div pool), so no two overlap;
 * - `hot`: groups of requests with the same interviewer and the same one-hour window at 14:00,
 *   all booking the same first option: exactly one of each group can win.
 *
 * The option each booking request will book is read once here, through `options`.
 */
import { fixedClock } from "../../src/clock.js";
import type { Store } from "../../src/store/database.js";
import type { WebDeps } from "../../src/web/env.js";
import { utcProfile } from "../../test/booking/factories.js";
import { realDeps } from "../../test/faults/ally-process.js";
import { buildOrganisation, META, type SignedIn } from "../../test/hiring/factories.js";

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export interface LoadSize {
  /** Interviewers in the organisation (the largest pool). */
  interviewers: number;
  /** Pool sizes that get `options` requests; 30 (or the largest below) is the main one. */
  pools: number[];
  pageRequests: number;
  optionsRequestsPerPool: number;
  distinctRequests: number;
  hotGroups: number;
  hotGroupSize: number;
}

export interface BookTarget {
  requestId: string;
  optionId: string;
  /** For hot requests: which group (one winner each). */
  group?: number;
}

export interface SeededLoad {
  apiToken: string;
  owner: SignedIn;
  interviewerIds: string[];
  /** Booking-page tokens (`/book/<token>`). */
  linkTokens: string[];
  /** Draft requests by pool size, for the options API. */
  optionsRequests: Map<number, string[]>;
  /** The main pool's size. */
  mainPool: number;
  distinct: BookTarget[];
  hot: BookTarget[];
  /** Monday 00:00 UTC of the first week used. */
  weekStart: number;
  deps: WebDeps;
}

/** The Monday 00:00 UTC at least `minDays` ahead of `nowMs`. */
export function mondayAfter(nowMs: number, minDays: number): number {
  const day = Math.floor(nowMs / DAY_MS) * DAY_MS + minDays * DAY_MS;
  const weekday = new Date(day).getUTCDay(); // 0 = Sunday
  return day + ((8 - weekday) % 7) * DAY_MS;
}

/** The `n`-th weekday (0-based) from a Monday. */
export function weekday(weekStart: number, n: number): number {
  return weekStart + (Math.floor(n / 5) * 7 + (n % 5)) * DAY_MS;
}

const iso = (ms: number) => new Date(ms).toISOString();

/** `make(0)` … `make(count - 1)`, eight at a time, in order. */
async function inBatches<T>(
  count: number,
  make: (i: number) => Promise<T>,
  onProgress: (done: number) => void,
): Promise<T[]> {
  const made: T[] = [];
  for (let from = 0; from < count; from += 8) {
    const batch = Array.from({ length: Math.min(8, count - from) }, (_, j) => make(from + j));
    made.push(...(await Promise.all(batch)));
    onProgress(made.length);
  }
  return made;
}

/** The token in a booking-link email. */
function linkToken(text: string): string {
  const match = /\/book\/(bk_[A-Za-z0-9_-]{43})/.exec(text);
  if (match?.[1] === undefined) throw new Error(`no booking link in: ${text}`);
  return match[1];
}

export async function seedLoad(
  store: Store,
  size: LoadSize,
  onProgress: (what: string) => void = () => {},
): Promise<SeededLoad> {
  const deps = realDeps(store);
  const world = {
    clock: fixedClock(Date.now()),
    accounts: deps.accounts,
    hiring: deps.hiring,
    deps,
  };
  const org = await buildOrganisation(world, store, { company: "Load Test Ltd" });
  const actor = org.owner.actor;
  const { token: apiToken } = await deps.accounts.createApiToken(actor, "load", META);
  const interviewerIds: string[] = [];
  for (let i = 0; i < size.interviewers; i++) {
    onProgress(`seeding: interviewer ${i + 1}/${size.interviewers}`);
    const member = await org.add("interviewer", `Interviewer ${i + 1}`);
    await deps.hiring.putInterviewerProfile(member.actor, member.actor.userId, utcProfile());
    interviewerIds.push(member.actor.userId);
  }
  const job = await deps.hiring.createJob(actor, {
    title: "Platform engineer",
    department: null,
    location: null,
    description: null,
  });
  const candidate = await deps.hiring.createCandidate(actor, {
    name: "Casey Candidate",
    email: "casey@example.org",
    timeZone: "UTC",
  });
  const pools = new Map<number, string>();
  for (const poolSize of size.pools) {
    const pool = await deps.hiring.createPool(actor, {
      name: `Pool of ${poolSize}`,
      memberIds: interviewerIds.slice(0, poolSize),
    });
    pools.set(poolSize, pool.id);
  }
  const mainPool = size.pools.includes(30) ? 30 : Math.max(...size.pools.filter((p) => p <= 30));
  // Far enough ahead that every window is past the default notice.
  const weekStart = mondayAfter(Date.now(), 3);
  const base = { candidateId: candidate.id, jobId: job.id, timeZone: "UTC" };
  const loop = (poolId: string) => ({
    ...base,
    sessions: [
      { name: "Coding", durationMinutes: 60, poolId, count: 1 },
      { name: "Design", durationMinutes: 45, poolId, count: 1 },
    ],
    order: "fixed" as const,
    maxGapMinutes: 30,
    windowStart: iso(weekStart),
    windowEnd: iso(weekStart + 5 * DAY_MS),
  });
  const linkTokens: string[] = [];
  for (let i = 0; i < size.pageRequests; i++) {
    onProgress(`seeding: booking link ${i + 1}/${size.pageRequests}`);
    // A candidate each: Ally sends one address at most ten emails an hour.
    const own = await deps.hiring.createCandidate(actor, {
      name: `Candidate ${i + 1}`,
      email: `candidate-${i + 1}@example.org`,
      timeZone: "UTC",
    });
    const request = await deps.booking.createRequest(actor, {
      ...loop(pools.get(mainPool) as string),
      candidateId: own.id,
    });
    await deps.booking.sendToCandidate(actor, request.id);
    const mail = await store.db
      .selectFrom("outbox")
      .select("text_body")
      .where("kind", "=", "booking-link")
      .orderBy("id", "desc")
      .executeTakeFirstOrThrow();
    linkTokens.push(linkToken(mail.text_body));
  }
  const optionsRequests = new Map<number, string[]>();
  for (const [poolSize, poolId] of pools) {
    const ids: string[] = [];
    for (let i = 0; i < size.optionsRequestsPerPool; i++) {
      ids.push((await deps.booking.createRequest(actor, loop(poolId))).id);
    }
    optionsRequests.set(poolSize, ids);
  }
  const single = async (userId: string, start: number): Promise<BookTarget> => {
    const request = await deps.booking.createRequest(actor, {
      ...base,
      sessions: [{ name: "Screen", durationMinutes: 45, interviewerIds: [userId] }],
      order: "fixed",
      maxGapMinutes: 30,
      windowStart: iso(start),
      windowEnd: iso(start + HOUR_MS),
    });
    const [option] = (await deps.booking.options(actor, request.id)).options;
    if (option === undefined) throw new Error(`no option for the request at ${iso(start)}`);
    return { requestId: request.id, optionId: option.id };
  };
  // A few at a time: PostgreSQL serves them side by side (SQLite one after the other).
  const distinct = await inBatches(
    size.distinctRequests,
    (k) => {
      const day = weekday(weekStart, Math.floor(k / mainPool));
      return single(interviewerIds[k % mainPool] as string, day + 9 * HOUR_MS);
    },
    (done) => onProgress(`seeding: booking request ${done}/${size.distinctRequests}`),
  );
  const hotTotal = size.hotGroups * size.hotGroupSize;
  const hot = await inBatches(
    hotTotal,
    async (k) => {
      const group = Math.floor(k / size.hotGroupSize);
      const day = weekday(weekStart, Math.floor(group / mainPool));
      const target = await single(interviewerIds[group % mainPool] as string, day + 14 * HOUR_MS);
      return { ...target, group };
    },
    (done) => onProgress(`seeding: hot slot request ${done}/${hotTotal}`),
  );
  return {
    apiToken,
    owner: org.owner,
    interviewerIds,
    linkTokens,
    optionsRequests,
    mainPool,
    distinct,
    hot,
    weekStart,
    deps,
  };
}
