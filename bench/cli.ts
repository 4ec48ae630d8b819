/**
 * Benchmark 3: `ally slots` end to end. A large problem (60 participants, about 8,000 calendar
 * events in .ics files including recurring ones, a 3-week range, a 4-session loop) is written
 * to a temporary folder, and `node bin/ally.js slots PROBLEM.json` (and `--all`) run as child
 * processes several times, beside the process-start baseline `node -e 0`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { median, now, progress, round } from "./measure.js";
import { Prng } from "./prng.js";
import {
  calendarText,
  civil,
  DAY_MS,
  dayNumberOf,
  localText,
  officeEpochMs,
  randomRule,
  syncDay,
  utcText,
  vevent,
} from "./series.js";

const ZONES = [
  "America/New_York",
  "America/Chicago",
  "America/Los_Angeles",
  "Europe/London",
  "Europe/Berlin",
  "Asia/Kolkata",
];
const RANGE_DAY = dayNumberOf(2026, 3, 9);
const RANGE_DAYS = 21;

export interface GeneratedProblem {
  dir: string;
  problemPath: string;
  participants: number;
  events: number;
  recurringEvents: number;
  icsBytes: number;
}

/** Writes the problem and its calendars; returns where. */
export function generateProblem(seed: number): GeneratedProblem {
  const prng = new Prng(seed);
  const dir = mkdtempSync(join(tmpdir(), "ally-bench-"));
  const participants: unknown[] = [];
  let events = 0;
  let recurringEvents = 0;
  let icsBytes = 0;
  for (let p = 0; p < 60; p++) {
    const id = `p${String(p).padStart(2, "0")}`;
    const zone = prng.pick(ZONES);
    const lines: string[] = [];
    // 118 one-off events from 8 weeks before the range to 2 weeks after it, few at weekends.
    for (let k = 0; k < 118; k++) {
      let day = RANGE_DAY - 56 + prng.int(0, 56 + RANGE_DAYS + 14);
      while (civil(day).weekday > 5 && !prng.chance(0.1)) {
        day = RANGE_DAY - 56 + prng.int(0, 56 + RANGE_DAYS + 14);
      }
      const uid = `${id}-e${k}@bench.ally`;
      const kind = prng.weighted([
        [80, "timed"],
        [6, "all-day"],
        [6, "transparent"],
        [4, "cancelled"],
        [4, "utc"],
      ]);
      const minute = 7 * 60 + 15 * prng.int(0, 44);
      const duration = prng.pick([15, 30, 30, 45, 60, 60, 90, 120]);
      if (kind === "all-day") {
        lines.push(
          vevent([
            `UID:${uid}`,
            "DTSTAMP:20260101T000000Z",
            `DTSTART;VALUE=DATE:${localText(day, 0).slice(0, 8)}`,
            `DTEND;VALUE=DATE:${localText(day + 1, 0).slice(0, 8)}`,
            "SUMMARY:Out of office",
          ]),
        );
      } else if (kind === "utc") {
        const start = officeEpochMs(zone, day, minute);
        lines.push(
          vevent([
            `UID:${uid}`,
            "DTSTAMP:20260101T000000Z",
            `DTSTART:${utcText(start)}`,
            `DTEND:${utcText(start + duration * 60_000)}`,
          ]),
        );
      } else {
        lines.push(
          vevent([
            `UID:${uid}`,
            "DTSTAMP:20260101T000000Z",
            `DTSTART;TZID=${zone}:${localText(day, minute)}`,
            `DTEND;TZID=${zone}:${localText(day, minute + duration)}`,
            ...(kind === "transparent" ? ["TRANSP:TRANSPARENT"] : []),
            ...(kind === "cancelled" ? ["STATUS:CANCELLED"] : []),
            "SUMMARY:Meeting",
          ]),
        );
      }
      events++;
    }
    // 13 recurring series, one of them with a moved instance (RECURRENCE-ID).
    for (let k = 0; k < 13; k++) {
      const rule = randomRule(prng);
      const startDay = syncDay(rule, RANGE_DAY - prng.int(20, 3 * 365));
      const minute = rule.hour !== undefined ? rule.hour * 60 : 8 * 60 + 15 * prng.int(0, 36);
      const uid = `${id}-r${k}@bench.ally`;
      lines.push(
        vevent([
          `UID:${uid}`,
          "DTSTAMP:20260101T000000Z",
          `DTSTART;TZID=${zone}:${localText(startDay, minute)}`,
          `DURATION:PT${prng.pick([15, 30, 45, 60])}M`,
          `RRULE:${rule.rrule}`,
          "SUMMARY:Recurring",
        ]),
      );
      events++;
      recurringEvents++;
      if (k === 0) {
        const moved = syncDay(rule, RANGE_DAY + prng.int(0, RANGE_DAYS - 1));
        lines.push(
          vevent([
            `UID:${uid}`,
            "DTSTAMP:20260101T000000Z",
            `RECURRENCE-ID;TZID=${zone}:${localText(moved, minute)}`,
            `DTSTART;TZID=${zone}:${localText(moved, minute + 60)}`,
            "DURATION:PT30M",
            "SUMMARY:Recurring (moved)",
          ]),
        );
        events++;
      }
    }
    const text = calendarText(lines);
    icsBytes += Buffer.byteLength(text);
    writeFileSync(join(dir, `${id}.ics`), text);
    const participant: Record<string, unknown> = {
      id,
      timeZone: zone,
      workingHours: [{ days: ["MO", "TU", "WE", "TH", "FR"], start: "09:00", end: "17:30" }],
      calendars: [`${id}.ics`],
    };
    if (prng.chance(0.3)) participant.limits = { perDay: 2, perWeek: 6 };
    participants.push(participant);
  }
  const ids = participants.map((p) => (p as { id: string }).id);
  const organiserZone = "America/New_York";
  const rangeStart = officeEpochMs(organiserZone, RANGE_DAY, 0);
  const problem = {
    now: new Date(rangeStart - 3 * DAY_MS).toISOString(),
    range: {
      start: new Date(rangeStart).toISOString(),
      end: new Date(officeEpochMs(organiserZone, RANGE_DAY + RANGE_DAYS, 0)).toISOString(),
    },
    timeZone: organiserZone,
    granularityMinutes: 15,
    minNoticeMinutes: 1440,
    bufferMinutes: 10,
    order: "fixed",
    maxGapMinutes: 15,
    limit: 10,
    participants,
    sessions: [
      { id: "coding", durationMinutes: 45, interviewers: prng.sample(ids, 25), count: 1 },
      { id: "design", durationMinutes: 60, interviewers: prng.sample(ids, 25), count: 2 },
      { id: "behavioural", durationMinutes: 60, interviewers: prng.sample(ids, 25), count: 1 },
      { id: "manager", durationMinutes: 30, interviewers: prng.sample(ids, 10), count: 1 },
    ],
  };
  const problemPath = join(dir, "problem.json");
  writeFileSync(problemPath, JSON.stringify(problem, null, 2));
  return { dir, problemPath, participants: 60, events, recurringEvents, icsBytes };
}

interface Run {
  wallMs: number;
  maxRssKb: number;
  stdoutBytes: number;
}

const TIME = "/usr/bin/time";

/** Runs a command once: wall time measured here, peak RSS from /usr/bin/time -v (or a wrapper). */
function runOnce(args: readonly string[], cwd: string): Run {
  const useTime = existsSync(TIME);
  const command = useTime ? TIME : process.execPath;
  const argv = useTime
    ? ["-v", process.execPath, ...args]
    : [
        "-e",
        // Wrapper: run the command as a child and print its peak RSS (kB) on stderr.
        `const r=require("node:child_process").spawnSync(process.execPath,${JSON.stringify(args)},{stdio:["ignore","inherit","inherit"]});process.stderr.write("\\nMaximum resident set size (kbytes): "+process.resourceUsage().maxRSS+"\\n");process.exitCode=r.status`,
      ];
  const t0 = now();
  const result = spawnSync(command, argv, { cwd, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
  const wallMs = now() - t0;
  if (result.status !== 0) {
    throw new Error(`${args.join(" ")} exited ${result.status}: ${result.stderr.slice(-2000)}`);
  }
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(result.stderr);
  return { wallMs, maxRssKb: rss ? Number(rss[1]) : Number.NaN, stdoutBytes: result.stdout.length };
}

export interface CommandResult {
  command: string;
  runs: number;
  medianWallMs: number;
  minWallMs: number;
  medianMaxRssMb: number;
  overNodeStartMs: number;
}

export interface CliResults {
  problem: Omit<GeneratedProblem, "dir" | "problemPath">;
  memorySource: string;
  commands: CommandResult[];
  options: number;
  starts: number;
}

export function runCliBenchmark(runs: number): CliResults {
  const repo = resolve(import.meta.dirname, "..");
  const ally = join(repo, "bin", "ally.js");
  progress("cli: generating the problem");
  const generated = generateProblem(3_000);
  try {
    const check = spawnSync(process.execPath, [ally, "slots", generated.problemPath], {
      encoding: "utf8",
    });
    const checkAll = spawnSync(process.execPath, [ally, "slots", "--all", generated.problemPath], {
      encoding: "utf8",
    });
    if (check.status !== 0 || checkAll.status !== 0) {
      throw new Error(`ally slots failed: ${check.stderr}${checkAll.stderr}`);
    }
    const options = (JSON.parse(check.stdout) as { options: unknown[] }).options.length;
    const starts = (JSON.parse(checkAll.stdout) as { starts: unknown[] }).starts.length;
    const commands: [string, string[]][] = [
      ["node -e 0", ["-e", "0"]],
      ["ally slots PROBLEM.json", [ally, "slots", generated.problemPath]],
      ["ally slots --all PROBLEM.json", [ally, "slots", "--all", generated.problemPath]],
    ];
    const samples = new Map<string, Run[]>(commands.map(([name]) => [name, []]));
    // Interleaved, so that a slow moment of the machine hits every command alike.
    for (let r = 0; r < runs; r++) {
      for (const [name, args] of commands) {
        progress(`cli: run ${r + 1}/${runs}: ${name}`);
        samples.get(name)?.push(runOnce(args, repo));
      }
    }
    const base = median((samples.get("node -e 0") ?? []).map((s) => s.wallMs));
    const { dir: _dir, problemPath: _path, ...problem } = generated;
    return {
      problem,
      memorySource: existsSync(TIME) ? "/usr/bin/time -v" : "process.resourceUsage().maxRSS",
      commands: commands.map(([name]) => {
        const list = samples.get(name) ?? [];
        const wall = median(list.map((s) => s.wallMs));
        return {
          command: name,
          runs: list.length,
          medianWallMs: round(wall, 1),
          minWallMs: round(Math.min(...list.map((s) => s.wallMs)), 1),
          medianMaxRssMb: round(median(list.map((s) => s.maxRssKb)) / 1024, 1),
          overNodeStartMs: round(wall - base, 1),
        };
      }),
      options,
      starts,
    };
  } finally {
    rmSync(generated.dir, { recursive: true, force: true });
  }
}
