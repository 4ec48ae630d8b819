/**
 * Small helpers shared by the tests: the error a call fails with, and one calendar's ICS text
 * with the events given.
 */
import { ConnectorError } from "../../src/calendar/connectors/types.js";
import { AppError } from "../../src/errors.js";

/** The AppError `promise` rejects with; anything else (or success) fails the test. */
export async function appError(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected the call to fail");
}

/** The ConnectorError `promise` rejects with; anything else (or success) fails the test. */
export async function connectorError(promise: Promise<unknown>): Promise<ConnectorError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ConnectorError) return error;
    throw error;
  }
  throw new Error("expected a ConnectorError");
}

/** The code of the ConnectorError `promise` rejects with. */
export async function connectorCode(promise: Promise<unknown>): Promise<string> {
  return (await connectorError(promise)).code;
}

/** One event of a test calendar: UTC basic-format instants, and a SUMMARY when given. */
export interface IcsEvent {
  uid: string;
  start: string;
  end: string;
  summary?: string;
}

/** An ICS body (CRLF lines) holding `events`. */
export function calendarIcs(events: IcsEvent[]): string {
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Ally tests//EN",
    ...events.flatMap((e) => [
      "BEGIN:VEVENT",
      `UID:${e.uid}`,
      "DTSTAMP:20261101T000000Z",
      `DTSTART:${e.start}`,
      `DTEND:${e.end}`,
      ...(e.summary === undefined ? [] : [`SUMMARY:${e.summary}`]),
      "END:VEVENT",
    ]),
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}
