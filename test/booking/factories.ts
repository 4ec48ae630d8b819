/**
 * Test factories for the booking module: an organisation with interviewers who have saved
 * profiles and (optionally) a connected ICS feed whose busy time the sync materialised, a
 * candidate and a job; request inputs with overrides.
 */
import type { InterviewRequestInput } from "../../src/booking/schemas.js";
import type { InterviewerProfileInput } from "../../src/hiring/schemas.js";
import type { Store } from "../../src/store/database.js";
import type { FeedServer } from "../calendar/connectors/feed-server.js";
import {
  buildOrganisation,
  type Organisation,
  type SignedIn,
  type World,
} from "../hiring/factories.js";
import { calendarIcs } from "../support/failures.js";

export { appError } from "../support/failures.js";

let sequence = 0;
const next = () => ++sequence;

/** An ICS body with one busy event per `[start, end]` pair of UTC basic-format instants. */
export function busyIcs(events: Array<[string, string]>): string {
  return calendarIcs(
    events.map(([start, end], i) => ({
      uid: `busy-${next()}-${i}@example.com`,
      start,
      end,
      summary: "Busy",
    })),
  );
}

/** Monday to Friday, 09:00–17:00 UTC, no limits. */
export function utcProfile(
  overrides: Partial<InterviewerProfileInput> = {},
): InterviewerProfileInput {
  return {
    timeZone: "UTC",
    workingHours: [{ days: ["MO", "TU", "WE", "TH", "FR"], start: "09:00", end: "17:00" }],
    perDayLimit: null,
    perWeekLimit: null,
    ...overrides,
  };
}

export interface BookingOrg {
  owner: SignedIn;
  recruiter: SignedIn;
  dana: SignedIn;
  eli: SignedIn;
  finn: SignedIn;
  candidateId: string;
  jobId: string;
  /** Adds another member (with no saved profile). */
  add: Organisation["add"];
}

/**
 * An organisation with a recruiter and three interviewers (Dana, Eli, Finn; UTC, weekdays
 * 09:00–17:00). `busy` gives a person's calendar as ICS events; each such person connects a
 * feed served by `feeds`, which materialises it at the world's current time.
 */
export async function buildBookingOrg(
  world: World,
  store: Store,
  feeds: FeedServer,
  options: {
    busy?: Partial<Record<"dana" | "eli" | "finn", Array<[string, string]>>>;
    profiles?: Partial<Record<"dana" | "eli" | "finn", Partial<InterviewerProfileInput>>>;
  } = {},
): Promise<BookingOrg> {
  const org = await buildOrganisation(world, store);
  const recruiter = await org.add("recruiter");
  const people = {
    dana: await org.add("interviewer", "Dana"),
    eli: await org.add("interviewer", "Eli"),
    finn: await org.add("interviewer", "Finn"),
  };
  for (const [key, person] of Object.entries(people) as Array<[keyof typeof people, SignedIn]>) {
    await world.hiring.putInterviewerProfile(
      person.actor,
      person.actor.userId,
      utcProfile(options.profiles?.[key]),
    );
    const events = options.busy?.[key];
    if (events !== undefined) {
      const path = `/feeds/${key}-${next()}.ics`;
      const body = busyIcs(events);
      feeds.route(path, (_request, response) =>
        response.writeHead(200, { "content-type": "text/calendar" }).end(body),
      );
      await world.deps.calendars.connect(person.actor, {
        provider: "ics-feed",
        url: `${feeds.baseUrl}${path}`,
      });
    }
  }
  const candidate = await world.hiring.createCandidate(org.owner.actor, {
    name: `Candidate ${next()}`,
    email: `candidate${next()}@example.org`,
    timeZone: "UTC",
  });
  const job = await world.hiring.createJob(org.owner.actor, {
    title: "Platform engineer",
    department: null,
    location: null,
    description: null,
  });
  return {
    owner: org.owner,
    recruiter,
    ...people,
    candidateId: candidate.id,
    jobId: job.id,
    add: (role, name) => org.add(role, name),
  };
}

// Wed 2 Dec 2026 00:00 UTC to Sat 5 Dec 2026 00:00 UTC: Wednesday to Friday.
export const WINDOW_START = "2026-12-02T00:00:00Z";
export const WINDOW_END = "2026-12-05T00:00:00Z";

/** One 60-minute session with Dana, Wednesday to Friday. */
export function buildRequest(
  org: BookingOrg,
  overrides: Partial<InterviewRequestInput> = {},
): InterviewRequestInput {
  return {
    candidateId: org.candidateId,
    jobId: org.jobId,
    sessions: [{ name: "Screen", durationMinutes: 60, interviewerIds: [org.dana.actor.userId] }],
    windowStart: WINDOW_START,
    windowEnd: WINDOW_END,
    timeZone: "UTC",
    videoLink: "https://meet.example.com/abc",
    ...overrides,
  };
}
