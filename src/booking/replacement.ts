/**
 * Replacement: who else in a pool could take a declined interviewer's exact time by the
 * engine's own rules (working hours, busy time, booked slots, daily and weekly limits), the
 * least loaded that week first. A read; `commands/replace-interviewer.ts` commits the swap.
 */

import { poolMemberIds } from "../hiring/scheduling-facts.js";
import type { OrgId } from "../ids.js";
import { type BookingContext, type Caller, DAY_MS } from "./context.js";
import { interviewerProfiles } from "./interviewers.js";
import { interviewerFacts, readerFor } from "./options.js";
import { fitsExactly, localDayAndWeek } from "./problem.js";
import { bookedSlots } from "./slot-lock.js";
import type { InterviewRequestsTable } from "./tables.js";

export interface StandIn {
  userId: string;
  name: string;
  /** Interviews already booked in the session's ISO week, in their zone. */
  load: number;
}

/** Members of the pool, not already on the session, free for exactly `time`; least loaded first. */
export async function standIns(
  ctx: BookingContext,
  orgId: OrgId,
  row: InterviewRequestsTable,
  poolId: string,
  onSession: ReadonlySet<string>,
  time: { start: number; end: number },
): Promise<StandIn[]> {
  const pool = ((await poolMemberIds(ctx.db, orgId, [poolId])).get(poolId) ?? []).filter(
    (id) => !onSession.has(id),
  );
  const profiles = await interviewerProfiles(ctx.db, orgId, pool);
  const around = { start: time.start - 8 * DAY_MS, end: time.end + 8 * DAY_MS };
  const booked = await bookedSlots(ctx.db, orgId, pool, around);
  const system: Caller = { kind: "system", orgId };
  const reader = readerFor(system, row);
  const fitting: StandIn[] = [];
  for (const memberId of pool) {
    const profile = profiles.get(memberId);
    if (profile === undefined) continue;
    const range = { start: time.start - DAY_MS, end: time.end + DAY_MS };
    const answers = await ctx.calendars.busyIntervalsForMany(reader, [memberId], range);
    const busy = answers.get(memberId);
    const facts = interviewerFacts(memberId, profile, busy?.busy ?? [], booked);
    if (!fitsExactly(facts, time, row.time_zone, ctx.clock.now())) continue;
    const { week } = localDayAndWeek(time.start, profile.timeZone);
    const load = facts.booked.filter(
      (b) => localDayAndWeek(b.start, profile.timeZone).week === week,
    ).length;
    fitting.push({ userId: memberId, name: profile.name, load });
  }
  fitting.sort((a, b) => a.load - b.load || (a.userId < b.userId ? -1 : 1));
  return fitting;
}
