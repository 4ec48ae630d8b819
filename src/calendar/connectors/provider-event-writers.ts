/**
 * `EventWriter` adapters over the Google Calendar and Microsoft Graph event functions
 * (google.ts, microsoft.ts). Events are written without attendees: Ally sends invitations
 * itself (iMIP), and Exchange mails every attendee of an event it stores, so attendees would
 * get a second invitation with a different UID. The description lists who attends instead.
 *
 * Idempotent creates: Google takes a client-chosen event id (base32hex), Graph a
 * `transactionId`; both are derived from the event's UID, so a retried create after a lost
 * answer finds the same event.
 */
import type { InterviewEvent } from "../imip.js";
import type { GoogleCalendar } from "./google.js";
import type { MicrosoftCalendar } from "./microsoft.js";
import {
  ConnectorError,
  type EventReference,
  type EventWriteResult,
  type EventWriter,
} from "./types.js";

/**
 * Google's event id for a UID: its UTF-8 bytes in hex, which is within base32hex (a–v, 0–9)
 * and one-to-one. UIDs of up to 512 bytes fit Google's 1024 characters.
 * @example googleEventId("bkg_7Hq2-1@ally.test") // "626b675f…"
 */
export function googleEventId(uid: string): string {
  const hex = Buffer.from(uid, "utf8").toString("hex");
  if (hex.length < 5 || hex.length > 1024) {
    throw new RangeError("a UID for Google must be 3 to 512 bytes long");
  }
  return hex;
}

/** The text providers show: the description, the page, and who attends. */
export function providerDescription(event: InterviewEvent): string {
  const people = event.attendees.map((a) =>
    a.name === undefined ? a.email : `${a.name} <${a.email}>`,
  );
  return [
    ...(event.description === undefined ? [] : [event.description, ""]),
    ...(event.url === undefined ? [] : [event.url, ""]),
    `Attendees: ${people.join(", ")}`,
  ].join("\n");
}

export class GoogleEventWriter implements EventWriter {
  readonly label: string;

  constructor(
    private readonly google: GoogleCalendar,
    private readonly calendarId: string,
  ) {
    this.label = google.label;
  }

  async upsert(
    event: InterviewEvent,
    options: { dtstampEpochMs: number; existing?: EventReference },
  ): Promise<EventWriteResult> {
    const fields = {
      summary: event.summary,
      description: providerDescription(event),
      ...(event.location === undefined ? {} : { location: event.location }),
      time: event.time,
      attendees: [],
    };
    if (options.existing !== undefined) {
      try {
        const patched = await this.google.patchEvent(
          this.calendarId,
          options.existing.ref,
          fields,
          {
            sendUpdates: "none",
          },
        );
        return { ref: patched.id, ...etagOf(patched.etag), changedOnServer: false };
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.code !== "CALENDAR_NOT_FOUND") throw error;
        // Deleted on the calendar: write it again.
      }
    }
    const created = await this.google.createEvent(
      this.calendarId,
      { id: googleEventId(event.uid), ...fields },
      { sendUpdates: "none" },
    );
    return {
      ref: created.id,
      ...etagOf(created.etag),
      changedOnServer: options.existing !== undefined,
    };
  }

  async remove(existing: EventReference): Promise<void> {
    await this.google.deleteEvent(this.calendarId, existing.ref, { sendUpdates: "none" });
  }
}

export class MicrosoftEventWriter implements EventWriter {
  readonly label: string;

  constructor(private readonly microsoft: MicrosoftCalendar) {
    this.label = microsoft.label;
  }

  async upsert(
    event: InterviewEvent,
    options: { dtstampEpochMs: number; existing?: EventReference },
  ): Promise<EventWriteResult> {
    const fields = {
      subject: event.summary,
      body: providerDescription(event),
      ...(event.location === undefined ? {} : { location: event.location }),
      time: event.time,
      attendees: [],
    };
    if (options.existing !== undefined) {
      try {
        const updated = await this.microsoft.updateEvent(options.existing.ref, fields);
        return { ref: updated.id, ...etagOf(updated.changeKey), changedOnServer: false };
      } catch (error) {
        if (!(error instanceof ConnectorError) || error.code !== "CALENDAR_NOT_FOUND") throw error;
      }
    }
    // A new transaction id for a re-creation: Graph would answer the old, deleted event.
    const suffix = options.existing === undefined ? "" : `:${options.dtstampEpochMs}`;
    const created = await this.microsoft.createEvent({
      ...fields,
      transactionId: `${event.uid}${suffix}`,
    });
    return {
      ref: created.id,
      ...etagOf(created.changeKey),
      changedOnServer: options.existing !== undefined,
    };
  }

  async remove(existing: EventReference): Promise<void> {
    await this.microsoft.deleteEvent(existing.ref);
  }
}

function etagOf(etag: string | undefined): { etag?: string } {
  return etag === undefined ? {} : { etag };
}
