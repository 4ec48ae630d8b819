/**
 * `ally calendar busy` in-process: busy time as JSON with UTC instants, clipped, merged and
 * sorted; each kind of bad command line exits 2 and each failing source exits 1, with exactly
 * one line on stderr saying which and nothing on stdout.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { main } from "../../../src/cli/main.js";
import { nodeIo, type SlotsIo } from "../../../src/cli/slots.js";
import { type FeedServer, startFeedServer } from "./feed-server.js";
import { COMBINED_ICS } from "./fixtures.js";

const dir = mkdtempSync(join(tmpdir(), "ally-calendar-cli-"));
const calendarFile = join(dir, "dana.ics");
writeFileSync(calendarFile, COMBINED_ICS);
const notCalendar = join(dir, "notes.ics");
writeFileSync(notCalendar, "<html>Sign in</html>\n");

let server: FeedServer;
let closedPortUrl: string;
beforeAll(async () => {
  server = await startFeedServer();
  server.route("/secret-feed-path/basic.ics", (_request, response) => {
    response.writeHead(200, { "content-type": "text/calendar" }).end(COMBINED_ICS);
  });
  server.route("/secret-feed-path/private.ics", (_request, response) => {
    response.writeHead(401).end();
  });
  server.route("/secret-feed-path/broken.ics", (_request, response) => {
    response.writeHead(500).end();
  });
  server.route("/secret-feed-path/html.ics", (_request, response) => {
    response.writeHead(200, { "content-type": "text/html" }).end("<html></html>");
  });
  const closed = await startFeedServer();
  await closed.close();
  closedPortUrl = `${closed.baseUrl}/secret-feed-path/basic.ics`;
});
afterAll(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string[];
}

async function run(...args: string[]): Promise<Run> {
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

// Mon 2 – Tue 10 Mar 2026, UTC
const WEEK = ["--from", "2026-03-02T00:00:00Z", "--to", "2026-03-10T00:00:00Z"];

async function expectOneLineError(
  args: string[],
  code: number,
  ...mentions: string[]
): Promise<string> {
  const result = await run("calendar", "busy", ...args);
  expect(result.stdout).toBe("");
  expect(result.stderr).toHaveLength(1);
  expect(result.code).toBe(code);
  const line = result.stderr[0] as string;
  expect(line).toMatch(/^ally calendar busy: /);
  for (const mention of mentions) expect(line).toContain(mention);
  expect(line).not.toContain("secret-feed-path");
  return line;
}

describe("ally calendar busy", () => {
  it("prints busy time from an .ics file as UTC instants, all-day read in --zone", async () => {
    const result = await run("calendar", "busy", calendarFile, ...WEEK, "--zone", "Asia/Tokyo");
    expect(result.stderr).toEqual([]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      busy: [
        { start: "2026-03-02T09:00:00Z", end: "2026-03-02T10:00:00Z" },
        // Wed 4 Mar all day in Tokyo (UTC+9)
        { start: "2026-03-03T15:00:00Z", end: "2026-03-04T15:00:00Z" },
        { start: "2026-03-09T13:00:00Z", end: "2026-03-09T14:00:00Z" },
      ],
      source: calendarFile,
      warnings: [],
    });
  });

  it("reads all-day events in UTC when no zone is given, and accepts file: URLs", async () => {
    const result = await run("calendar", "busy", pathToFileURL(calendarFile).href, ...WEEK);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).busy).toContainEqual({
      start: "2026-03-04T00:00:00Z",
      end: "2026-03-05T00:00:00Z",
    });
  });

  it("clips to the range and takes instants with offsets and --opt=value", async () => {
    // Mon 2 Mar 2026, 10:30–11:30 Berlin = 09:30–10:30 UTC
    const result = await run(
      "calendar",
      "busy",
      calendarFile,
      "--from=2026-03-02T10:30:00+01:00",
      "--to=2026-03-02T11:30:00+01:00",
    );
    expect(JSON.parse(result.stdout).busy).toEqual([
      { start: "2026-03-02T09:30:00Z", end: "2026-03-02T10:00:00Z" },
    ]);
  });

  it("prints busy time from an http feed labelled by its host only", async () => {
    const result = await run(
      "calendar",
      "busy",
      `${server.baseUrl}/secret-feed-path/basic.ics`,
      ...WEEK,
    );
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.source).toBe(`${server.baseUrl}/…`);
    expect(output.busy).toHaveLength(3);
  });

  describe("bad command lines exit 2", () => {
    it("refuses a missing source", () => expectOneLineError([...WEEK], 2, "exactly one source"));
    it("refuses a missing --to", () =>
      expectOneLineError([calendarFile, "--from", "2026-03-02T00:00:00Z"], 2, "--to"));
    it("refuses an unknown option", () =>
      expectOneLineError([calendarFile, ...WEEK, "--tz", "UTC"], 2, '"--tz"'));
    it("refuses an instant without an offset", () =>
      expectOneLineError(
        [calendarFile, "--from", "2026-03-02T00:00", "--to", "2026-03-10T00:00:00Z"],
        2,
        "--from",
        "2026-03-02T00:00",
      ));
    it("refuses a range that ends before it starts", () =>
      expectOneLineError(
        [calendarFile, "--from", "2026-03-10T00:00:00Z", "--to", "2026-03-02T00:00:00Z"],
        2,
        "--to must be after --from",
      ));
    it("refuses an unknown zone", () =>
      expectOneLineError([calendarFile, ...WEEK, "--zone", "Mars/Olympus"], 2, "Mars/Olympus"));
    it("refuses a URL that does not parse", () =>
      expectOneLineError(["https://exa mple.com/secret-feed-path", ...WEEK], 2, "not a valid"));
    it("refuses an unknown scheme", () =>
      expectOneLineError(["ftp://example.com/cal.ics", ...WEEK], 2, '"ftp:"'));
    it("refuses a CalDAV source without credentials in the environment", async () => {
      vi.stubEnv("ALLY_CALDAV_USER", "");
      vi.stubEnv("ALLY_CALDAV_PASSWORD", "");
      try {
        await expectOneLineError(
          ["caldav+https://caldav.example.com/dana/work/", ...WEEK],
          2,
          "ALLY_CALDAV_USER",
        );
      } finally {
        vi.unstubAllEnvs();
      }
    });
    it("refuses a CalDAV password in the URL", () =>
      expectOneLineError(
        ["caldav+https://dana:hunter2@caldav.example.com/dana/work/", ...WEEK],
        2,
        "ALLY_CALDAV_PASSWORD",
      ));
    it("refuses an unknown calendar subcommand", async () => {
      const result = await run("calendar", "free", calendarFile);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).toHaveLength(1);
    });
  });

  describe("failing sources exit 1", () => {
    it("names a missing file", () =>
      expectOneLineError([join(dir, "absent.ics"), ...WEEK], 1, "absent.ics", "no such file"));
    it("names a file that is not iCalendar", () =>
      expectOneLineError([notCalendar, ...WEEK], 1, "notes.ics", "not an iCalendar file"));
    it("names a feed that refuses access", () =>
      expectOneLineError(
        [`${server.baseUrl}/secret-feed-path/private.ics`, ...WEEK],
        1,
        "access refused",
        "HTTP 401",
      ));
    it("names a feed that does not exist", () =>
      expectOneLineError(
        [`${server.baseUrl}/secret-feed-path/gone.ics`, ...WEEK],
        1,
        "no calendar at that address",
      ));
    it("names a feed whose server fails", () =>
      expectOneLineError(
        [`${server.baseUrl}/secret-feed-path/broken.ics`, ...WEEK],
        1,
        "server error",
      ));
    it("names a feed that answers with something other than iCalendar", () =>
      expectOneLineError(
        [`${server.baseUrl}/secret-feed-path/html.ics`, ...WEEK],
        1,
        "not an iCalendar feed",
      ));
    it("names a server that cannot be reached", () =>
      expectOneLineError([closedPortUrl, ...WEEK], 1, "cannot be reached"));
    it("names a CalDAV server that cannot be reached", async () => {
      vi.stubEnv("ALLY_CALDAV_USER", "dana");
      vi.stubEnv("ALLY_CALDAV_PASSWORD", "hunter2");
      try {
        const line = await expectOneLineError(
          [`caldav+${closedPortUrl.replace("basic.ics", "")}`, ...WEEK],
          1,
          "CalDAV server",
          "cannot be reached",
        );
        expect(line).not.toContain("hunter2");
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });
});
