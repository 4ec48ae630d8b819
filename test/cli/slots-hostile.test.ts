/**
 * `ally slots` on hostile input: absurd numbers and files that are not files. Each ends with
 * exit 2, exactly one line on stderr naming the field or file, and nothing on stdout; none may
 * overflow the stack, hang or abort the process.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const repo = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "ally-slots-hostile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = runCli;

let files = 0;
function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Alice works Mon–Tue 09:00–12:00 New York and has a daily stand-up in her calendar. */
function buildProblem(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    now: "2026-11-25T09:00:00Z",
    // Mon 30 Nov – Wed 2 Dec 2026, New York
    range: { start: "2026-11-30T00:00:00-05:00", end: "2026-12-02T00:00:00-05:00" },
    timeZone: "America/New_York",
    granularityMinutes: 30,
    participants: [
      {
        id: "alice",
        timeZone: "America/New_York",
        workingHours: [{ days: ["MO", "TU"], start: "09:00", end: "12:00" }],
        calendars: ["standup.ics"],
        limits: { perDay: 3, perWeek: 10 },
      },
    ],
    sessions: [{ id: "tech", durationMinutes: 60, interviewers: ["alice"], count: 1 }],
    ...overrides,
  };
}

write(
  "standup.ics",
  [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Ally tests//EN",
    "BEGIN:VEVENT",
    "UID:standup",
    // Every day since 1 Jan 2000, 08:45–09:00 New York
    "DTSTART;TZID=America/New_York:20000101T084500",
    "DTEND;TZID=America/New_York:20000101T090000",
    "RRULE:FREQ=DAILY",
    "END:VEVENT",
    "END:VCALENDAR",
    "",
  ].join("\r\n"),
);

function problemFile(problem: unknown): string {
  files++;
  return write(`problem-${files}.json`, JSON.stringify(problem));
}

async function expectOneLineError(args: string[], ...mentions: string[]): Promise<void> {
  const result = await run(...args);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toHaveLength(1);
  for (const mention of mentions) expect(result.stderr[0]).toContain(mention);
}

function withSession(fields: Record<string, unknown>) {
  return { sessions: [{ id: "tech", durationMinutes: 60, interviewers: ["alice"], ...fields }] };
}

function withLimits(limits: Record<string, unknown>) {
  const problem = buildProblem();
  (problem.participants as Array<Record<string, unknown>>)[0]!.limits = limits;
  return problem;
}

describe("ally slots on absurd numbers", () => {
  const absurd = 1e9;
  const cases: Array<[string, Record<string, unknown>]> = [
    ["bufferMinutes", buildProblem({ bufferMinutes: absurd })],
    ["maxGapMinutes", buildProblem({ maxGapMinutes: absurd })],
    ["minNoticeMinutes", buildProblem({ minNoticeMinutes: absurd })],
    ["granularityMinutes", buildProblem({ granularityMinutes: absurd })],
    ["limit", buildProblem({ limit: absurd })],
    ["sessions[0].durationMinutes", buildProblem(withSession({ durationMinutes: absurd }))],
    ["sessions[0].count", buildProblem(withSession({ count: absurd }))],
    ["participants[0].limits.perDay", withLimits({ perDay: absurd })],
    ["participants[0].limits.perWeek", withLimits({ perWeek: absurd })],
  ];
  for (const [field, problem] of cases) {
    it(`exits 2 with one line naming ${field} when it is 1e9`, async () => {
      await expectOneLineError(["slots", problemFile(problem)], field, "at most");
    });
  }

  it("refuses a range of more than a year, naming range.end", async () => {
    const problem = buildProblem({
      range: { start: "2026-11-30T00:00:00-05:00", end: "2126-11-30T00:00:00-05:00" },
    });
    await expectOneLineError(["slots", "--all", problemFile(problem)], "range.end", "366 days");
  });

  it("still accepts the largest allowed numbers", async () => {
    const problem = buildProblem({ bufferMinutes: 1440, maxGapMinutes: 10_080, limit: 1000 });
    const result = await run("slots", "--all", problemFile(problem));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ starts: [] });
  });
});

describe("ally slots on files that are not regular files", () => {
  it("refuses a device as the problem file, naming it", async () => {
    await expectOneLineError(["slots", "/dev/zero"], "/dev/zero", "not a regular file");
  });

  it("refuses a directory as the problem file", async () => {
    await expectOneLineError(["slots", dir], dir, "not a regular file");
  });

  it("refuses a device as a calendar file, naming the field and the file", async () => {
    const problem = buildProblem();
    (problem.participants as Array<Record<string, unknown>>)[0]!.calendars = ["/dev/zero"];
    await expectOneLineError(
      ["slots", problemFile(problem)],
      "participants[0].calendars[0]",
      "/dev/zero",
      "not a regular file",
    );
  });

  const bin = join(repo, "bin/ally.js");
  const built = existsSync(join(repo, "dist/cli/main.js"));
  it.skipIf(!built && process.env.CI !== "true")(
    "as a process, /dev/zero gives exit 2 and one stderr line instead of an abort",
    () => {
      const result = spawnSync(process.execPath, [bin, "slots", "/dev/zero"], {
        encoding: "utf8",
        timeout: 60_000,
      });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    },
  );
});
