/** What `calendar_event_writes.payload` holds: the whole event as it should now be, and its DTSTAMP. */
import { z } from "zod";
import { parseStoredJson } from "../store/stored-json.js";
import type { InterviewEvent } from "./imip.js";
import type { CalendarEventWritesTable } from "./tables.js";

const personSchema = z.object({ email: z.string(), name: z.string().optional() });

const interviewEventSchema = z.object({
  uid: z.string(),
  sequence: z.number().int().nonnegative(),
  time: z.object({ startEpochMs: z.number(), endEpochMs: z.number() }),
  summary: z.string(),
  description: z.string().optional(),
  location: z.string().optional(),
  url: z.string().optional(),
  organizer: personSchema,
  attendees: z.array(
    personSchema.extend({
      role: z.enum(["CHAIR", "REQ-PARTICIPANT", "OPT-PARTICIPANT"]).optional(),
    }),
  ),
});

const payloadSchema = z.object({
  event: interviewEventSchema,
  dtstampEpochMs: z.number(),
});

export interface EventWritePayload {
  event: InterviewEvent;
  dtstampEpochMs: number;
}

/**
 * The stored payload of a write, checked.
 * @throws StoredJsonError when it is not an event Ally can write.
 */
export function eventWritePayload(row: {
  id: number | string;
  payload: CalendarEventWritesTable["payload"];
}): EventWritePayload {
  return parseStoredJson(payloadSchema, row.payload, `calendar_event_writes.payload of ${row.id}`);
}
