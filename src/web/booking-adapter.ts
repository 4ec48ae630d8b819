/**
 * The booking service as the pages see it: builds the view models of booking-view.ts from the
 * booking module's answers and adds the names a person reads (job, organisation, interviewers).
 * Every action is one booking command (cancelling revokes the request's links in its own
 * transaction); this file only maps its answers to what the candidate's pages show.
 *
 * Names are read here, scoped to the link's organisation, because the candidate's view of a
 * request (`candidateGet`) carries ids only.
 */
import { Temporal } from "temporal-polyfill";
import { memberNames } from "../accounts/names.js";
import { createCandidateCalendars } from "../booking/candidate-calendar.js";
import type { BookingLink } from "../booking/links.js";
import { requestCalendar } from "../booking/person-records.js";
import type { CandidateTimes } from "../booking/present.js";
import { requestNames } from "../booking/request-names.js";
import type { Option } from "../booking/schemas.js";
import type { BookingService } from "../booking/service.js";
import type { Clock } from "../clock.js";
import { AppError } from "../errors.js";
import type { OrgId } from "../ids.js";
import type { SecretStore } from "../secrets/secret-store.js";
import type { Store } from "../store/database.js";
import type {
  BookAnswer,
  CandidateBooking,
  CandidatePageView,
  CandidateStatus,
  OptionView,
} from "./booking-view.js";

/** Days the "none of these work" grid shows. */
export const GRID_DAYS = 7;

/** Options with interviewers' names instead of ids. */
export async function optionViews(
  store: Store,
  orgId: OrgId,
  options: readonly Option[],
): Promise<OptionView[]> {
  const names = await memberNames(
    store.db,
    orgId,
    options.flatMap((o) => o.sessions.flatMap((s) => s.interviewerIds)),
  );
  return options.map((o) => ({
    id: o.id,
    startsAt: o.startsAt,
    endsAt: o.endsAt,
    sessions: o.sessions.map((s) => ({
      name: s.name,
      startsAt: s.startsAt,
      endsAt: s.endsAt,
      interviewers: s.interviewerIds.map((id) => names.get(id) ?? "an interviewer"),
    })),
  }));
}

/** "Video call: https://…", "At 1 Main Street", both, or a note that details will follow. */
export function formatOf(location: string | null, videoLink: string | null): string {
  if (videoLink !== null && location !== null) return `At ${location}, or by video: ${videoLink}`;
  if (videoLink !== null) return `Video call: ${videoLink}`;
  if (location !== null) return `At ${location}`;
  return "The recruiter will send you the details.";
}

const statusOf: Record<string, CandidateStatus> = {
  draft: "closed",
  awaiting_candidate: "choosing",
  scheduled: "scheduled",
  rescheduling: "scheduled",
  cancelled: "cancelled",
  completed: "closed",
};

/** The answer to a booking attempt, from the service's errors that a candidate can act on. */
async function answerOf(
  store: Store,
  orgId: OrgId,
  attempt: () => Promise<unknown>,
): Promise<BookAnswer> {
  try {
    await attempt();
    return { ok: true };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    if (error.code === "SLOT_TAKEN") {
      const fresh = (error.detail?.options ?? []) as Option[];
      return { ok: false, taken: true, options: await optionViews(store, orgId, fresh) };
    }
    if (error.code === "VALIDATION_FAILED" && error.field === "optionId") {
      return { ok: false, taken: false, message: "Choose one of the times.", code: error.code };
    }
    if (
      error.code === "REQUEST_NOT_OPEN" ||
      error.code === "BOOKING_CHANGED" ||
      error.code === "NO_TIME_FITS" ||
      error.code === "CONFLICT" ||
      error.code === "VALIDATION_FAILED"
    ) {
      return { ok: false, taken: false, message: error.message, code: error.code };
    }
    throw error;
  }
}

export function candidateBookingFor(deps: {
  store: Store;
  clock: Clock;
  booking: BookingService;
  /** Seals the address of a calendar the candidate connects. */
  box: SecretStore;
  /** config.calendar.allowPrivateHosts, for reading the candidate's calendar. */
  allowPrivateHosts: boolean;
  /** Who the candidate's calendar file says the events are from, and the UIDs' host. */
  calendarIdentity: { organizerAddress: string; host: string };
}): CandidateBooking {
  const { store, clock, booking } = deps;
  const calendars = createCandidateCalendars({
    db: store.db,
    clock,
    box: deps.box,
    allowPrivateHosts: deps.allowPrivateHosts,
  });

  async function names(link: BookingLink) {
    const row = await requestNames(store.db, link.orgId, link.requestId);
    if (row === undefined) throw new AppError("NOT_FOUND", "interview request not found");
    return row;
  }

  return {
    async view(link) {
      const request = await booking.candidateGet(link.requestId);
      const status = statusOf[request.status] ?? "closed";
      const known = await names(link);
      const options =
        status === "choosing"
          ? await optionViews(
              store,
              link.orgId,
              (await booking.candidateOptions(link.requestId)).options,
            )
          : [];
      const booked =
        request.booking !== null && request.booking.status === "active"
          ? ((
              await optionViews(store, link.orgId, [
                {
                  id: request.booking.id,
                  startsAt: request.booking.sessions[0]?.startsAt ?? request.windowStart,
                  endsAt: request.booking.sessions.at(-1)?.endsAt ?? request.windowStart,
                  score: 0,
                  sessions: request.booking.sessions,
                },
              ])
            )[0] ?? null)
          : null;
      const from = Math.max(clock.now(), Date.parse(request.windowStart));
      const firstDate = Temporal.Instant.fromEpochMilliseconds(from)
        .toZonedDateTimeISO(request.timeZone)
        .toPlainDate()
        .toString();
      const format = formatOf(request.location, request.videoLink);
      const view: CandidatePageView = {
        organisationName: known.organisationName,
        jobTitle: known.jobTitle,
        candidateName: known.candidateName,
        defaultZone: request.timeZone,
        status,
        sessions: request.sessions.map((s) => ({
          name: s.name,
          durationMinutes: s.durationMinutes,
          interviewers: [],
          format,
          videoLink: request.videoLink,
          location: request.location,
        })),
        options,
        booked,
        grid: { firstDate, days: GRID_DAYS },
      };
      return view;
    },

    async calendarFile(link) {
      const known = await names(link);
      return requestCalendar(store.db, link.orgId, link.requestId, {
        attendee: { email: known.candidateEmail, name: known.candidateName },
        organizer: {
          email: deps.calendarIdentity.organizerAddress,
          name: `${known.organisationName} via Ally`,
        },
        host: deps.calendarIdentity.host,
        dtstampEpochMs: clock.now(),
      });
    },

    async rescheduleOptions(link) {
      const { options } = await booking.candidateOptions(link.requestId);
      return optionViews(store, link.orgId, options);
    },

    book: (link, optionId, idempotencyKey) =>
      answerOf(store, link.orgId, () =>
        booking.candidateBook(link.requestId, { optionId, idempotencyKey }),
      ),

    reschedule: (link, optionId, idempotencyKey) =>
      answerOf(store, link.orgId, () =>
        booking.candidateReschedule(link.requestId, { optionId, idempotencyKey }),
      ),

    async cancel(link, reason) {
      await booking.candidateCancel(link.requestId, { reason });
    },

    async proposeTimes(link, times: CandidateTimes) {
      await booking.proposeTimes(link.requestId, {
        ranges: times.ranges.map((r) => ({ start: r.startsAt, end: r.endsAt })),
        message:
          times.text === ""
            ? `(times in ${times.zone})`
            : `${times.text}\n\n(times in ${times.zone})`,
      });
    },

    fitCalendar: (link, options, zone) => calendars.fit(link.orgId, link.requestId, options, zone),

    async connectCalendar(link, address, zone) {
      await calendars.connect(link.orgId, link.requestId, address, zone);
    },

    disconnectCalendar: (link) => calendars.disconnect(link.orgId, link.requestId),
  };
}
