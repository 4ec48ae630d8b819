/**
 * "Add to calendar" links for a booked session: Google Calendar's and Outlook's documented
 * event-template addresses. Pure: the caller gives the event; instants are RFC 3339 in, and
 * each provider's own form out (Google: basic UTC `YYYYMMDDTHHMMSSZ`; Outlook: RFC 3339 UTC).
 * The `.ics` download is the third way (the booking pages serve it); these two open the
 * provider's "new event" form filled in, for people who do not import files.
 */
import { Temporal } from "temporal-polyfill";

export interface CalendarEventLinkInput {
  title: string;
  /** RFC 3339 instants; the range is half-open. */
  startsAt: string;
  endsAt: string;
  /** Plain text for the event's description. */
  details: string;
  /** An address, or the video link. */
  location: string | null;
}

export interface AddToCalendarLinks {
  google: string;
  outlook: string;
}

/** `2026-12-02T09:00:00Z` → `20261202T090000Z` (Google's form for UTC). */
function basicUtc(instant: string): string {
  return Temporal.Instant.from(instant).toString({ smallestUnit: "second" }).replace(/[-:]/g, "");
}

/** `2026-12-02T09:00:00+01:00` → `2026-12-02T08:00:00Z`. */
function utcSeconds(instant: string): string {
  return Temporal.Instant.from(instant).toString({ smallestUnit: "second" });
}

/**
 * The two links for one event.
 * @example addToCalendarLinks({ title: "Interview: Screen", startsAt: "2026-12-02T09:00:00Z",
 *   endsAt: "2026-12-02T10:00:00Z", details: "With Dana", location: null }).google
 *   // "https://calendar.google.com/calendar/render?action=TEMPLATE&text=Interview%3A+Screen&dates=20261202T090000Z%2F20261202T100000Z&details=With+Dana"
 */
export function addToCalendarLinks(event: CalendarEventLinkInput): AddToCalendarLinks {
  const google = new URLSearchParams({
    action: "TEMPLATE",
    text: event.title,
    dates: `${basicUtc(event.startsAt)}/${basicUtc(event.endsAt)}`,
    details: event.details,
    ...(event.location === null ? {} : { location: event.location }),
  });
  const outlook = new URLSearchParams({
    path: "/calendar/action/compose",
    rru: "addevent",
    subject: event.title,
    startdt: utcSeconds(event.startsAt),
    enddt: utcSeconds(event.endsAt),
    body: event.details,
    ...(event.location === null ? {} : { location: event.location }),
  });
  return {
    google: `https://calendar.google.com/calendar/render?${google}`,
    outlook: `https://outlook.live.com/calendar/0/deeplink/compose?${outlook}`,
  };
}
