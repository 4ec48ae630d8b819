/**
 * A calendar in a local .ics file (an export, or a file another tool keeps up to date). The file
 * is read on every call, so edits show up at once.
 */
import { readFile } from "node:fs/promises";
import type { EpochMsInterval } from "../ical.js";
import { busyOf, parseOrThrow } from "./busy-from-text.js";
import { type BusyRead, type CalendarSource, ConnectorError } from "./types.js";

export class IcsFileSource implements CalendarSource {
  readonly label: string;
  readonly #path: string;
  readonly #readText: (path: string) => Promise<string>;

  /**
   * @example new IcsFileSource("calendars/dana.ics")
   */
  constructor(path: string, options: { readText?: (path: string) => Promise<string> } = {}) {
    this.label = path;
    this.#path = path;
    this.#readText = options.readText ?? ((file) => readFile(file, "utf8"));
  }

  async busy(range: EpochMsInterval, options: { zone: string }): Promise<BusyRead> {
    let text: string;
    try {
      text = await this.#readText(this.#path);
    } catch (error) {
      throw fileError(this.#path, error);
    }
    const { calendar, warnings } = parseOrThrow(
      text,
      this.label,
      `${this.label}: not an iCalendar file (no BEGIN:VCALENDAR)`,
    );
    return busyOf(this.label, calendar.events, range, options.zone, warnings);
  }
}

function fileError(path: string, error: unknown): ConnectorError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
      return new ConnectorError("CALENDAR_NOT_FOUND", `${path}: no such file`, { cause: error });
    case "EISDIR":
      return new ConnectorError("CALENDAR_NOT_FOUND", `${path}: is a directory, not a file`, {
        cause: error,
      });
    case "EACCES":
    case "EPERM":
      return new ConnectorError("CALENDAR_AUTH_FAILED", `${path}: permission denied`, {
        cause: error,
      });
    default:
      return new ConnectorError(
        "CALENDAR_UNREACHABLE",
        `${path}: cannot be read${code === undefined ? "" : ` (${code})`}`,
        { cause: error },
      );
  }
}
