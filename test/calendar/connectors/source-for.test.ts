/**
 * `sourceFor` picks the connector by scheme, takes CalDAV credentials only from the environment
 * it is given, and says what is wrong with a source it cannot use.
 */
import { describe, expect, it } from "vitest";
import { CalDavSource } from "../../../src/calendar/connectors/caldav.js";
import { IcsFeedSource } from "../../../src/calendar/connectors/ics-feed.js";
import { IcsFileSource } from "../../../src/calendar/connectors/ics-file.js";
import { type SourceEnv, sourceFor } from "../../../src/calendar/connectors/source-for.js";

const env: SourceEnv = { ALLY_CALDAV_USER: "dana", ALLY_CALDAV_PASSWORD: "hunter2" };

function picked(spec: string) {
  const result = sourceFor(spec, env);
  if (!result.ok) throw new Error(`expected a source for ${spec}: ${result.message}`);
  return result.source;
}

function refusal(spec: string, given: SourceEnv = env): string {
  const result = sourceFor(spec, given);
  if (result.ok) throw new Error(`expected ${spec} to be refused`);
  return result.message;
}

describe("sourceFor", () => {
  it("reads a plain or relative path as a file", () => {
    expect(picked("calendars/dana.ics")).toBeInstanceOf(IcsFileSource);
    expect(picked("/tmp/dana.ics").label).toBe("/tmp/dana.ics");
  });

  it("reads a file: URL as the file it names", () => {
    const source = picked("file:///tmp/dana%20work.ics");
    expect(source).toBeInstanceOf(IcsFileSource);
    expect(source.label).toBe("/tmp/dana work.ics");
  });

  it("reads http, https and webcal URLs as feeds labelled by origin", () => {
    expect(picked("http://cal.example.com/x.ics")).toBeInstanceOf(IcsFeedSource);
    expect(picked("https://cal.example.com/private-abc/basic.ics").label).toBe(
      "https://cal.example.com/…",
    );
    expect(picked("webcal://p01-caldav.icloud.com/published/2/abc").label).toBe(
      "https://p01-caldav.icloud.com/…",
    );
  });

  it("reads caldav+https and caldav+http URLs as CalDAV collections", () => {
    const source = picked("caldav+https://caldav.example.com/dana/work/");
    expect(source).toBeInstanceOf(CalDavSource);
    expect(source.label).toBe("caldav+https://caldav.example.com/dana/work/");
    expect(picked("caldav+http://127.0.0.1:5232/dana/work")).toBeInstanceOf(CalDavSource);
  });

  it("needs both CalDAV settings from the environment", () => {
    expect(refusal("caldav+https://caldav.example.com/dana/work/", {})).toContain(
      "ALLY_CALDAV_USER and ALLY_CALDAV_PASSWORD",
    );
    expect(
      refusal("caldav+https://caldav.example.com/dana/work/", { ALLY_CALDAV_USER: "dana" }),
    ).toContain("ALLY_CALDAV_PASSWORD");
  });

  it("refuses credentials written into a CalDAV URL without repeating them", () => {
    const message = refusal("caldav+https://dana:hunter2@caldav.example.com/dana/work/");
    expect(message).toContain("not in the URL");
    expect(message).not.toContain("hunter2");
  });

  it("refuses unknown schemes, empty sources and URLs that do not parse", () => {
    expect(refusal("ftp://example.com/cal.ics")).toContain('"ftp:"');
    expect(refusal("caldav://example.com/cal/")).toContain('"caldav:"');
    expect(refusal("")).toContain("empty");
    expect(refusal("https://exa mple.com/private-abc")).not.toContain("private-abc");
    expect(refusal("caldav+https://")).toContain("not a valid caldav+https URL");
  });
});
