/**
 * The CalDAV connector against a real Radicale on loopback: recurrences, overrides and cancelled
 * instances expanded on our side; wrong password, missing collection and a server that went
 * away each give their own error code; `ally calendar busy` reads the same calendar.
 */
import { describe, expect, it, vi } from "vitest";
import { CalDavSource } from "../../../src/calendar/connectors/caldav.js";
import { ConnectorError } from "../../../src/calendar/connectors/types.js";
import { main } from "../../../src/cli/main.js";
import { nodeIo, type SlotsIo } from "../../../src/cli/slots.js";
import { connectorCode } from "../../support/failures.js";
import {
  FOCUS_ICS,
  MARCH,
  OFFSITE_ICS,
  OFFSITE_NEW_YORK,
  OFFSITE_UTC,
  SERIES_BUSY,
  SERIES_ICS,
} from "./fixtures.js";
import {
  RADICALE_CREDENTIALS as credentials,
  makeCalendar,
  putObject,
  RADICALE_PASSWORD,
  RADICALE_USER,
  radicaleCalendar,
  radicaleOrSkip,
  startRadicale,
} from "./radicale.js";

const command = radicaleOrSkip("the CalDAV tests");

describe.skipIf(!command.ok)("CalDAV source against Radicale", () => {
  const caldav = radicaleCalendar(command, "work", async (collection) => {
    await putObject(`${collection}weekly-sync.ics`, SERIES_ICS);
    await putObject(`${collection}offsite.ics`, OFFSITE_ICS);
    await putObject(`${collection}focus.ics`, FOCUS_ICS);
  });

  it("reads a weekly series with a moved and a cancelled instance as busy time", async () => {
    const source = new CalDavSource(new URL(caldav.collection), credentials);
    const read = await source.busy(MARCH, { zone: "UTC" });
    expect(read.busy).toEqual([SERIES_BUSY[0], OFFSITE_UTC, SERIES_BUSY[1], SERIES_BUSY[2]]);
    expect(read.warnings).toEqual([]);
  });

  it("reads all-day events in the zone asked for and leaves transparent events free", async () => {
    const source = new CalDavSource(new URL(caldav.collection), credentials);
    // Wed 4 – Fri 6 Mar 2026, UTC
    const range = {
      startEpochMs: Date.parse("2026-03-04T00:00:00Z"),
      endEpochMs: Date.parse("2026-03-06T00:00:00Z"),
    };
    const read = await source.busy(range, { zone: "America/New_York" });
    expect(read.busy).toEqual([OFFSITE_NEW_YORK]);
  });

  it("clips busy time to the range", async () => {
    const source = new CalDavSource(new URL(caldav.collection), credentials);
    // Mon 2 Mar 2026, 09:30–12:00 UTC: inside the first instance (09:00–10:00)
    const range = {
      startEpochMs: Date.parse("2026-03-02T09:30:00Z"),
      endEpochMs: Date.parse("2026-03-02T12:00:00Z"),
    };
    const read = await source.busy(range, { zone: "UTC" });
    expect(read.busy).toEqual([
      { startEpochMs: range.startEpochMs, endEpochMs: Date.parse("2026-03-02T10:00:00Z") },
    ]);
  });

  it("sees an event added since the last read", async () => {
    const source = new CalDavSource(new URL(caldav.collection), credentials);
    // Fri 27 Mar 2026, 15:00–16:00 UTC
    const range = {
      startEpochMs: Date.parse("2026-03-27T00:00:00Z"),
      endEpochMs: Date.parse("2026-03-28T00:00:00Z"),
    };
    expect((await source.busy(range, { zone: "UTC" })).busy).toEqual([]);
    await putObject(
      `${caldav.collection}debrief.ics`,
      [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ally tests//EN",
        "BEGIN:VEVENT",
        "UID:debrief@ally.test",
        "DTSTAMP:20260201T000000Z",
        "DTSTART:20260327T150000Z",
        "DTEND:20260327T160000Z",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
      ].join("\r\n"),
    );
    expect((await source.busy(range, { zone: "UTC" })).busy).toEqual([
      {
        startEpochMs: Date.parse("2026-03-27T15:00:00Z"),
        endEpochMs: Date.parse("2026-03-27T16:00:00Z"),
      },
    ]);
  });

  it("reports a wrong password as CALENDAR_AUTH_FAILED without the password", async () => {
    const source = new CalDavSource(new URL(caldav.collection), {
      username: RADICALE_USER,
      password: "not-the-password",
    });
    const error = await source.busy(MARCH, { zone: "UTC" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).code).toBe("CALENDAR_AUTH_FAILED");
    expect((error as ConnectorError).message).not.toContain("not-the-password");
    expect((error as ConnectorError).message).toContain("127.0.0.1");
  });

  it("reports a collection that does not exist as CALENDAR_NOT_FOUND", async () => {
    const source = new CalDavSource(
      new URL(`${caldav.server.baseUrl}${RADICALE_USER}/no-such-calendar/`),
      credentials,
    );
    expect(await connectorCode(source.busy(MARCH, { zone: "UTC" }))).toBe("CALENDAR_NOT_FOUND");
  });

  it("refuses an event's address or the user's home as not a calendar collection", async () => {
    for (const url of [
      `${caldav.collection}weekly-sync.ics`,
      `${caldav.server.baseUrl}${RADICALE_USER}/`,
    ]) {
      const source = new CalDavSource(new URL(url), credentials);
      expect(await connectorCode(source.busy(MARCH, { zone: "UTC" }))).toBe("CALENDAR_INVALID");
    }
  });

  it("prints the busy time with ally calendar busy, credentials from the environment", async () => {
    vi.stubEnv("ALLY_CALDAV_USER", RADICALE_USER);
    vi.stubEnv("ALLY_CALDAV_PASSWORD", RADICALE_PASSWORD);
    try {
      const spec = `caldav+${caldav.collection}`;
      const ok = await runCli(
        "calendar",
        "busy",
        spec,
        "--from",
        "2026-03-02T00:00:00Z",
        "--to",
        "2026-03-10T00:00:00Z",
      );
      expect(ok.stderr).toEqual([]);
      expect(ok.code).toBe(0);
      expect(JSON.parse(ok.stdout)).toEqual({
        busy: [
          { start: "2026-03-02T09:00:00Z", end: "2026-03-02T10:00:00Z" },
          { start: "2026-03-04T00:00:00Z", end: "2026-03-05T00:00:00Z" },
          { start: "2026-03-09T13:00:00Z", end: "2026-03-09T14:00:00Z" },
        ],
        source: spec,
        warnings: [],
      });
      vi.stubEnv("ALLY_CALDAV_PASSWORD", "wrong");
      const refused = await runCli(
        "calendar",
        "busy",
        spec,
        "--from",
        "2026-03-02T00:00:00Z",
        "--to",
        "2026-03-10T00:00:00Z",
      );
      expect(refused.code).toBe(1);
      expect(refused.stdout).toBe("");
      expect(refused.stderr).toHaveLength(1);
      expect(refused.stderr[0]).toContain("access refused");
    } finally {
      vi.unstubAllEnvs();
    }
  });
});

describe.skipIf(!command.ok)("CalDAV source when Radicale goes away", () => {
  it("reports a server stopped between two reads as CALENDAR_UNREACHABLE", async () => {
    if (!command.ok) return;
    const radicale = await startRadicale(command.argv);
    try {
      const collection = `${radicale.baseUrl}${RADICALE_USER}/work/`;
      await makeCalendar(collection);
      await putObject(`${collection}weekly-sync.ics`, SERIES_ICS);
      const source = new CalDavSource(new URL(collection), credentials, { timeoutMs: 2000 });
      expect((await source.busy(MARCH, { zone: "UTC" })).busy).toEqual(SERIES_BUSY);
      await radicale.stop();
      expect(await connectorCode(source.busy(MARCH, { zone: "UTC" }))).toBe("CALENDAR_UNREACHABLE");
    } finally {
      await radicale.stop();
    }
  }, 30_000);
});

interface Run {
  code: number;
  stdout: string;
  stderr: string[];
}

async function runCli(...args: string[]): Promise<Run> {
  let stdout = "";
  const stderr: string[] = [];
  const io: SlotsIo = {
    ...nodeIo,
    stdout: (text) => {
      stdout += text;
    },
    stderr: (line) => {
      stderr.push(line);
    },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}
