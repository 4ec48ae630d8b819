/**
 * `ally slots` from the command line: valid problems give JSON on stdout; each kind of bad
 * input gives a non-zero exit and exactly one line on stderr naming the field or file, with
 * nothing on stdout.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli/main.js";
import { nodeIo, type SlotsIo } from "../../src/cli/slots.js";

const repo = resolve(import.meta.dirname, "../..");
const dir = mkdtempSync(join(tmpdir(), "ally-slots-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

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
    nowEpochMs: () => Date.parse("2026-11-25T09:00:00Z"),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

let files = 0;
function write(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A small valid problem; overrides replace top-level fields. */
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
        // Mon 30 Nov, 09:00–10:00 New York
        busy: [{ start: "2026-11-30T14:00:00Z", end: "2026-11-30T15:00:00Z" }],
      },
    ],
    sessions: [{ id: "tech", durationMinutes: 60, interviewers: ["alice"] }],
    ...overrides,
  };
}

function problemFile(problem: unknown): string {
  files++;
  return write(`problem-${files}.json`, JSON.stringify(problem));
}

async function expectOneLineError(args: string[], ...mentions: string[]): Promise<void> {
  const result = await run(...args);
  expect(result.code).not.toBe(0);
  expect(result.stdout).toBe("");
  expect(result.stderr).toHaveLength(1);
  for (const mention of mentions) expect(result.stderr[0]).toContain(mention);
}

describe("ally slots on valid problems", () => {
  it("lists every feasible start with --all, sorted, in UTC", async () => {
    const result = await run("slots", "--all", problemFile(buildProblem()));
    expect(result.code).toBe(0);
    expect(result.stderr).toEqual([]);
    // Mon: 10:00, 10:30, 11:00 (09:00 is busy); Tue: 09:00 … 11:00. New York is UTC-5.
    expect(JSON.parse(result.stdout)).toEqual({
      starts: [
        "2026-11-30T15:00:00Z",
        "2026-11-30T15:30:00Z",
        "2026-11-30T16:00:00Z",
        "2026-12-01T14:00:00Z",
        "2026-12-01T14:30:00Z",
        "2026-12-01T15:00:00Z",
        "2026-12-01T15:30:00Z",
        "2026-12-01T16:00:00Z",
      ],
    });
  });

  it("prints ranked options with sessions and interviewers", async () => {
    const result = await run("slots", problemFile(buildProblem({ limit: 3 })));
    expect(result.code).toBe(0);
    const { options } = JSON.parse(result.stdout) as {
      options: Array<{ start: string; end: string; score: number; sessions: unknown[] }>;
    };
    expect(options).toHaveLength(3);
    for (const option of options) {
      expect(option.score).toBeGreaterThanOrEqual(0);
      expect(option.score).toBeLessThanOrEqual(1);
      expect(option.sessions).toEqual([
        { id: "tech", start: option.start, end: option.end, interviewers: ["alice"] },
      ]);
    }
    const scores = options.map((o) => o.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it("reads calendar files relative to the problem file", async () => {
    write(
      "alice-tuesday.ics",
      [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ally tests//EN",
        "BEGIN:VEVENT",
        "UID:tue-morning",
        // Tue 1 Dec 2026, 09:00–11:00 New York
        "DTSTART;TZID=America/New_York:20261201T090000",
        "DTEND;TZID=America/New_York:20261201T110000",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
      ].join("\r\n"),
    );
    const problem = buildProblem();
    (problem.participants as Array<Record<string, unknown>>)[0]!.calendars = ["alice-tuesday.ics"];
    const result = await run("slots", "--all", problemFile(problem));
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).starts).toEqual([
      "2026-11-30T15:00:00Z",
      "2026-11-30T15:30:00Z",
      "2026-11-30T16:00:00Z",
      "2026-12-01T16:00:00Z",
    ]);
  });

  it("names a broken event on stderr and still uses the rest of the calendar", async () => {
    write(
      "alice-messy.ics",
      [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Ally tests//EN",
        "BEGIN:VEVENT",
        "UID:broken-one",
        "DTSTART:not-a-date",
        "DTEND:20261201T150000Z",
        "END:VEVENT",
        "BEGIN:VEVENT",
        "UID:tue-morning",
        "DTSTART;TZID=America/New_York:20261201T090000",
        "DTEND;TZID=America/New_York:20261201T110000",
        "END:VEVENT",
        "END:VCALENDAR",
        "",
      ].join("\n"),
    );
    const problem = buildProblem();
    (problem.participants as Array<Record<string, unknown>>)[0]!.calendars = ["alice-messy.ics"];
    const result = await run("slots", "--all", problemFile(problem));
    expect(result.code).toBe(0);
    expect(result.stderr).toHaveLength(1);
    expect(result.stderr[0]).toContain("alice-messy.ics");
    expect(result.stderr[0]).toContain("broken-one");
    expect(JSON.parse(result.stdout).starts).toHaveLength(4);
  });

  it("explains which constraint binds when no time fits", async () => {
    const problem = buildProblem({ minNoticeMinutes: 60 * 24 * 7 });
    const result = await run("slots", "--explain", problemFile(problem));
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout);
    expect(output.options).toEqual([]);
    expect(output.explanation.feasibleStarts).toBe(0);
    expect(output.explanation.relaxations[0]).toMatchObject({
      constraint: "notice",
      feasibleStarts: 8,
    });
    expect(output.explanation.summary).toContain("minimum notice");
  });
});

describe("ally slots on bad input", () => {
  it("rejects a file that is not JSON, naming the file", async () => {
    await expectOneLineError(["slots", write("broken.json", "{ not json")], "broken.json", "JSON");
  });

  it("rejects a missing problem file", async () => {
    await expectOneLineError(["slots", join(dir, "absent.json")], "absent.json");
  });

  it("rejects an unknown organiser zone, naming timeZone", async () => {
    await expectOneLineError(
      ["slots", problemFile(buildProblem({ timeZone: "Mars/Olympus_Mons" }))],
      "timeZone",
      "Mars/Olympus_Mons",
    );
  });

  it("rejects an unknown participant zone, naming the participant's field", async () => {
    const problem = buildProblem();
    (problem.participants as Array<Record<string, unknown>>)[0]!.timeZone = "Europe/Atlantis";
    await expectOneLineError(
      ["slots", problemFile(problem)],
      "participants[0].timeZone",
      "Europe/Atlantis",
    );
  });

  it("rejects an unknown candidate zone", async () => {
    await expectOneLineError(
      ["slots", problemFile(buildProblem({ candidate: { timeZone: "Nowhere/Land" } }))],
      "candidate.timeZone",
    );
  });

  it("rejects an unknown interviewer, naming the session's pool entry", async () => {
    const problem = buildProblem({
      sessions: [{ id: "tech", durationMinutes: 60, interviewers: ["alice", "zoe"] }],
    });
    await expectOneLineError(["slots", problemFile(problem)], "sessions[0].interviewers[1]", "zoe");
  });

  it("rejects a missing calendar file, naming the file", async () => {
    const problem = buildProblem();
    (problem.participants as Array<Record<string, unknown>>)[0]!.calendars = ["nowhere.ics"];
    await expectOneLineError(
      ["slots", problemFile(problem)],
      "nowhere.ics",
      "participants[0].calendars[0]",
    );
  });

  it("rejects a calendar file that is not iCalendar at all, naming the file", async () => {
    write("not-a-calendar.ics", "<html><body>Sign in to continue</body></html>\n");
    const problem = buildProblem();
    (problem.participants as Array<Record<string, unknown>>)[0]!.calendars = ["not-a-calendar.ics"];
    await expectOneLineError(["slots", problemFile(problem)], "not-a-calendar.ics");
  });

  it("rejects an instant without an offset, naming the field", async () => {
    await expectOneLineError(
      ["slots", problemFile(buildProblem({ now: "2026-11-25T09:00:00" }))],
      "now",
    );
  });

  it("rejects a session without a duration", async () => {
    const problem = buildProblem({ sessions: [{ id: "tech", interviewers: ["alice"] }] });
    await expectOneLineError(["slots", problemFile(problem)], "sessions[0].durationMinutes");
  });

  it("rejects a range that ends before it starts", async () => {
    const problem = buildProblem({
      range: { start: "2026-12-02T00:00:00Z", end: "2026-12-01T00:00:00Z" },
    });
    await expectOneLineError(["slots", problemFile(problem)], "range.end");
  });

  it("rejects an unknown option", async () => {
    await expectOneLineError(
      ["slots", "--everything", problemFile(buildProblem())],
      "--everything",
    );
  });
});

describe("the installed ally command", () => {
  const bin = join(repo, "bin/ally.js");
  const built = existsSync(join(repo, "dist/cli/main.js"));

  it.skipIf(!built && process.env.CI !== "true")(
    "runs as a process: JSON on stdout, exit 0 (skipped locally until `npm run build`)",
    () => {
      const result = spawnSync(
        process.execPath,
        [bin, "slots", "--all", problemFile(buildProblem())],
        {
          encoding: "utf8",
        },
      );
      expect(result.status).toBe(0);
      expect(JSON.parse(result.stdout).starts).toHaveLength(8);
    },
  );

  it.skipIf(!built && process.env.CI !== "true")(
    "as a process, bad input gives exit 2, one stderr line and an empty stdout",
    () => {
      const result = spawnSync(process.execPath, [bin, "slots", write("bad.json", "[")], {
        encoding: "utf8",
      });
      expect(result.status).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
    },
  );

  it("runs the bundled example (npm start)", async () => {
    const result = await run("demo");
    expect(result.code).toBe(0);
    const json = result.stdout.slice(result.stdout.indexOf("{"));
    expect(JSON.parse(json).options.length).toBeGreaterThan(0);
  });
});
