/**
 * The .ics file connector: reads the file on every call; a missing file, a directory and a file
 * that is not iCalendar each give their own code.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { IcsFileSource } from "../../../src/calendar/connectors/ics-file.js";
import { ConnectorError } from "../../../src/calendar/connectors/types.js";
import { COMBINED_ICS, MARCH, OFFSITE_NEW_YORK, SERIES_BUSY, SERIES_ICS } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "ally-ics-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

async function codeOf(source: IcsFileSource): Promise<string> {
  const error = await source.busy(MARCH, { zone: "UTC" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  return (error as ConnectorError).code;
}

describe("ICS file source", () => {
  it("reads a series, its override and its cancelled instance, all-day in the zone given", async () => {
    const source = new IcsFileSource(write("dana.ics", COMBINED_ICS));
    const read = await source.busy(MARCH, { zone: "America/New_York" });
    expect(read.busy).toEqual([SERIES_BUSY[0], OFFSITE_NEW_YORK, SERIES_BUSY[1], SERIES_BUSY[2]]);
    expect(read.warnings).toEqual([]);
  });

  it("reads the file again on every call", async () => {
    const path = write("changing.ics", SERIES_ICS);
    const source = new IcsFileSource(path);
    expect((await source.busy(MARCH, { zone: "UTC" })).busy).toEqual(SERIES_BUSY);
    writeFileSync(path, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n");
    expect((await source.busy(MARCH, { zone: "UTC" })).busy).toEqual([]);
  });

  it("warns about a broken event and reads the rest", async () => {
    const broken = SERIES_ICS.replace(
      "END:VCALENDAR",
      "BEGIN:VEVENT\r\nUID:broken@ally.test\r\nDTSTART:not-a-time\r\nEND:VEVENT\r\nEND:VCALENDAR",
    );
    const read = await new IcsFileSource(write("broken.ics", broken)).busy(MARCH, { zone: "UTC" });
    expect(read.busy).toEqual(SERIES_BUSY);
    expect(read.warnings).toHaveLength(1);
    expect(read.warnings[0]).toContain("UID broken@ally.test");
  });

  it("reports a missing file as CALENDAR_NOT_FOUND", async () => {
    expect(await codeOf(new IcsFileSource(join(dir, "absent.ics")))).toBe("CALENDAR_NOT_FOUND");
  });

  it("reports a directory as CALENDAR_NOT_FOUND", async () => {
    expect(await codeOf(new IcsFileSource(dir))).toBe("CALENDAR_NOT_FOUND");
  });

  it("reports a file that is not iCalendar as CALENDAR_INVALID", async () => {
    const source = new IcsFileSource(write("notes.txt", "just some notes\n"));
    expect(await codeOf(source)).toBe("CALENDAR_INVALID");
  });
});
