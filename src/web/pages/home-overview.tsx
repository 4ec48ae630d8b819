/**
 * The recruiter's part of the home page: what needs attention (oldest first), the next two
 * weeks' interviews and how long scheduling takes. Rendered from booking's overview read, the
 * calendar health per member and names; it only shows.
 */
import type { Context } from "hono";
import { memberNames } from "../../accounts/names.js";
import type { AttentionReason } from "../../booking/attention.js";
import type { RecruiterOverview } from "../../booking/overview.js";
import { formatRange } from "../../booking/present.js";
import type { AppEnv } from "../env.js";
import { requireActor } from "../forms.js";
import { durationText } from "./request-pages.js";

type C = Context<AppEnv>;

export const ATTENTION_TEXT: Record<AttentionReason, string> = {
  "times-proposed": "The candidate proposed other times",
  declined: "An attendee declined the invitation",
  rescheduling: "The interview is being moved: pick a new time",
  "candidate-quiet": "The candidate has not answered the times offered",
  "not-sent": "Not sent to the candidate yet",
};

interface StaleCalendar {
  userId: string;
  text: string;
}

/** Reads everything the overview shows, for a member who may read candidates. */
export async function loadHomeOverview(c: C) {
  const actor = requireActor(c);
  const { booking, hiring, calendars, store } = c.get("deps");
  const [overview, candidates, jobs, health] = await Promise.all([
    booking.overview(actor),
    hiring.listCandidates(actor),
    hiring.listJobs(actor),
    calendars.healthByMember(actor),
  ]);
  const stale: StaleCalendar[] = [];
  for (const [userId, h] of health) {
    if (h.unhealthy > 0) stale.push({ userId, text: "calendar not working" });
    else if (h.stale > 0) stale.push({ userId, text: "calendar not synced lately" });
  }
  const names = await memberNames(store.db, actor.orgId, [
    ...stale.map((s) => s.userId),
    ...overview.upcoming.flatMap((u) => u.sessions.flatMap((s) => s.interviewerIds)),
  ]);
  return {
    overview,
    stale,
    names,
    candidateName: new Map(candidates.map((x) => [x.id, x.name])),
    jobTitle: new Map(jobs.map((x) => [x.id, x.title])),
    nowMs: c.get("deps").clock.now(),
  };
}

export type HomeOverviewData = Awaited<ReturnType<typeof loadHomeOverview>>;

function AttentionList({ data }: { data: HomeOverviewData }) {
  const { overview, stale, names, candidateName, jobTitle, nowMs } = data;
  const count = overview.attention.length + stale.length;
  return (
    <section aria-labelledby="attention" class="card">
      <h2 id="attention">Needs attention ({count})</h2>
      {count === 0 ? <p>Nothing is waiting for you.</p> : null}
      <ul class="attention">
        {overview.attention.map((item) => (
          <li>
            <a href={`/app/requests/${item.requestId}`}>
              {candidateName.get(item.candidateId) ?? "A candidate"}
              {jobTitle.get(item.jobId) ? ` · ${jobTitle.get(item.jobId)}` : ""}
            </a>
            : {ATTENTION_TEXT[item.reason]} ({durationText(nowMs - item.sinceMs)} ago).
          </li>
        ))}
        {stale.map((s) => (
          <li>
            <a href="/app/members">{names.get(s.userId) ?? "A member"}</a>: {s.text}; their busy
            time may be out of date.
          </li>
        ))}
      </ul>
    </section>
  );
}

function Upcoming({ data, zone }: { data: HomeOverviewData; zone: string }) {
  const { overview, names, candidateName, jobTitle } = data;
  return (
    <section aria-labelledby="upcoming" class="card">
      <h2 id="upcoming">Upcoming interviews ({overview.upcoming.length})</h2>
      {overview.upcoming.length === 0 ? <p>No interviews in the next two weeks.</p> : null}
      {overview.upcoming.length > 0 ? (
        <div class="table-wrap">
          <table class="stacked">
            <caption class="visually-hidden">Interviews in the next two weeks</caption>
            <thead>
              <tr>
                <th scope="col">When ({zone})</th>
                <th scope="col">Candidate</th>
                <th scope="col">Sessions</th>
              </tr>
            </thead>
            <tbody>
              {overview.upcoming.map((u) => (
                <tr>
                  <td data-label="When">{formatRange(u, zone).replace(` (${zone})`, "")}</td>
                  <td data-label="Candidate">
                    <a href={`/app/requests/${u.requestId}`}>
                      {candidateName.get(u.candidateId) ?? "A candidate"}
                    </a>
                    {jobTitle.get(u.jobId) ? ` · ${jobTitle.get(u.jobId)}` : ""}
                  </td>
                  <td data-label="Sessions">
                    {u.sessions
                      .map(
                        (s) =>
                          `${s.name}: ${s.interviewerIds.map((id) => names.get(id) ?? "a former member").join(", ")}`,
                      )
                      .join("; ")}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}

function Pipeline({ overview }: { overview: RecruiterOverview }) {
  const { timeToSchedule, open } = overview;
  return (
    <section aria-labelledby="pipeline" class="card">
      <h2 id="pipeline">Scheduling</h2>
      <p class="stat">
        {timeToSchedule.medianMs === null ? "–" : durationText(timeToSchedule.medianMs)}
      </p>
      <p>
        Median time to schedule, over {timeToSchedule.scheduled} interview
        {timeToSchedule.scheduled === 1 ? "" : "s"} booked in the last {timeToSchedule.days} days.
      </p>
      <ul>
        <li>
          <a href="/app/requests?status=draft">Drafts: {open.draft}</a>
        </li>
        <li>
          <a href="/app/requests?status=awaiting_candidate">
            Waiting for the candidate: {open.awaiting_candidate}
          </a>
        </li>
        <li>
          <a href="/app/requests?status=scheduled">Scheduled: {open.scheduled}</a>
        </li>
        <li>
          <a href="/app/requests?status=rescheduling">Rescheduling: {open.rescheduling}</a>
        </li>
      </ul>
    </section>
  );
}

/** The three parts, in the order a recruiter reads them. */
export function HomeOverview({ data, zone }: { data: HomeOverviewData; zone: string }) {
  return (
    <>
      <AttentionList data={data} />
      <Upcoming data={data} zone={zone} />
      <Pipeline overview={data.overview} />
    </>
  );
}
