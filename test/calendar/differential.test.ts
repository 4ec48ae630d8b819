/**
 * Differential test: Ally's recurrence expansion against an independent implementation,
 * Debian's python3-recurring-ical-events 2.0.1 (run by `differential/expand.py` with
 * /usr/bin/python3), over the real-world calendars in ../shared/corpora/recurring-ical-events.
 *
 * For every calendar the windows are derived from the file (see `windowsFor`): consecutive
 * three-year windows from the year before its earliest DTSTART/RDATE/RECURRENCE-ID to the year
 * after its latest one (at most six, the first three and last three when the span is longer),
 * a 40-day window that starts at 12:30 UTC on the day of the earliest start (it cuts through
 * events), and 2030 for open-ended series. Each window is expanded twice, with floating times and
 * dates read in each of `ZONES` (far from UTC and from the zones the corpus was written in, one
 * per hemisphere), so a floating value read in the wrong zone shows up as a difference.
 *
 * What is compared, per window, is a multiset of (UID, start epoch ms, end epoch ms, blocks):
 * - Cancelled occurrences (Ally's `cancelled`; STATUS:CANCELLED on the python side, which
 *   reports them like any other event) are left out on both sides: a cancelled occurrence does
 *   not take time, whether an implementation reports it with a flag or drops it.
 * - `blocks` is false for transparent occurrences (Ally's `transparent`; TRANSP:TRANSPARENT on
 *   the python side; RFC 5545 3.8.2.7: the default is OPAQUE), so a transparent occurrence is
 *   compared with its times but must agree on not blocking time.
 * - An event without a UID has none on the python side; Ally makes one up (from the source and
 *   line). Both become NO_UID: on Ally's side, every UID that no UID property of the file has.
 * - Both sides use the same window rule: an occurrence is in the window when it overlaps it, or
 *   when it is zero-length and starts in it (half-open).
 *
 * X-WR-TIMEZONE: the library always applies it (x_wr_timezone.to_standard: floating times are
 * read in that zone and UTC times become wall-clock times in it before expansion); Ally applies
 * it only when asked (`parseICalendar(…, { applyXWrTimeZone: true })`) and by default reads
 * floating times in the participant's zone, as ../shared/spec/slots.md says. A calendar with
 * X-WR-TIMEZONE is therefore compared twice: Ally's default against the library with the
 * property removed (`--ignore-x-wr-timezone`), and Ally with the option against the library as
 * it is.
 *
 * A file that differs must be on `differential-expected-failures.txt` with the size of the
 * difference (occurrences only Ally reports, only the library reports, windows where a side
 * failed) and the reason; a listed file that agrees, or differs by other counts, fails the test
 * too, so the list only shrinks and a listed file still catches new differences.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { expandOccurrences, parseICalendar } from "../../src/calendar/index.js";

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = resolve(HERE, "../..");
const CORPUS = resolve(REPO, "../shared/corpora/recurring-ical-events");
const SCRIPT = join(HERE, "differential", "expand.py");
const EXPECTED_FAILURES = join(HERE, "differential-expected-failures.txt");
const PYTHON = "/usr/bin/python3";
/** Zones for floating times and dates: far from UTC and from the corpus' own zones, one per hemisphere. */
const ZONES = ["America/New_York", "Pacific/Auckland"] as const;
const CI = process.env.CI === "true";
/** Stands for "the event has no UID" on both sides. */
const NO_UID = "(no UID)";

/** Half-open window of UTC instants, as RFC 3339 text, and the zone for floating times and dates. */
interface Window {
  start: string;
  end: string;
  zone: string;
}

interface PythonOccurrence {
  uid: string | null;
  summary: string | null;
  start: number;
  end: number;
  allDay: boolean;
  status: string | null;
  transp: string | null;
  recurrenceId: number | null;
}

interface PythonWindow {
  start: string;
  end: string;
  error: string | null;
  occurrences: PythonOccurrence[];
}

interface PythonResult {
  library: string;
  error: string | null;
  windows: PythonWindow[];
}

/** One occurrence as compared: what matters for busy time. */
interface Compared {
  uid: string;
  startEpochMs: number;
  endEpochMs: number;
  blocks: boolean;
  summary?: string;
}

interface Side {
  /** Why this side produced nothing for the window (unreadable calendar, crash). */
  error?: string;
  occurrences: Compared[];
}

/** How X-WR-TIMEZONE is treated on both sides (see the header). */
type Mode = "default" | "x-wr-timezone";

interface WindowDiff {
  mode: Mode;
  window: Window;
  ally: Side;
  python: Side;
  onlyAlly: Compared[];
  onlyPython: Compared[];
}

function pythonProblem(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is missing`;
  const probe = spawnSync(PYTHON, ["-c", "import recurring_ical_events"], {
    encoding: "utf8",
    timeout: 30_000,
  });
  if (probe.status !== 0) {
    return `${PYTHON} cannot import recurring_ical_events (apt-get install -y python3-recurring-ical-events): ${probe.stderr.trim()}`;
  }
  return undefined;
}

function corpusFiles(): string[] {
  if (!existsSync(CORPUS)) return [];
  return readdirSync(CORPUS)
    .filter((name) => name.endsWith(".ics"))
    .sort();
}

/** A file known to differ: how much (over all windows, zones and modes) and why. */
interface ExpectedFailure {
  /** Occurrences only Ally reports. */
  ally: number;
  /** Occurrences only the library reports. */
  python: number;
  /** Windows where either side failed (unreadable calendar, crash). */
  errors: number;
  reason: string;
}

/** The size of a file's differences, as written in the expected-failures list. */
function tally(diffs: WindowDiff[]): Omit<ExpectedFailure, "reason"> {
  return {
    ally: diffs.reduce((n, d) => n + d.onlyAlly.length, 0),
    python: diffs.reduce((n, d) => n + d.onlyPython.length, 0),
    errors: diffs.filter((d) => d.ally.error !== undefined || d.python.error !== undefined).length,
  };
}

const showTally = (t: Omit<ExpectedFailure, "reason">): string =>
  `ally:${t.ally} python:${t.python} errors:${t.errors}`;

/** `file ally:N python:N errors:N reason…` per line; `#` starts a comment line. */
function readExpectedFailures(): Map<string, ExpectedFailure> {
  const entries = new Map<string, ExpectedFailure>();
  if (!existsSync(EXPECTED_FAILURES)) return entries;
  for (const raw of readFileSync(EXPECTED_FAILURES, "utf8").split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const match = /^(\S+)\s+ally:(\d+)\s+python:(\d+)\s+errors:(\d+)\s+(\S.*)$/.exec(line);
    if (!match?.[1] || !match[5]) {
      throw new Error(`expected failure not as "file ally:N python:N errors:N reason": ${line}`);
    }
    entries.set(match[1], {
      ally: Number(match[2]),
      python: Number(match[3]),
      errors: Number(match[4]),
      reason: match[5],
    });
  }
  return entries;
}

/** Unfolded content lines of the file. */
function contentLines(text: string): string[] {
  return text
    .replace(/\r\n|\r/g, "\n")
    .replace(/\n[ \t]/g, "")
    .split("\n");
}

/** Dates (YYYYMMDD) in the DTSTART, RDATE and RECURRENCE-ID values of the calendar's VEVENTs. */
function eventDates(text: string): { all: string[]; starts: string[] } {
  const all: string[] = [];
  const starts: string[] = [];
  const stack: string[] = [];
  for (const line of contentLines(text)) {
    const begin = /^BEGIN:(.+)$/i.exec(line);
    if (begin?.[1]) {
      stack.push(begin[1].trim().toUpperCase());
      continue;
    }
    if (/^END:/i.test(line)) {
      stack.pop();
      continue;
    }
    if (stack[stack.length - 1] !== "VEVENT") continue;
    const property = /^(DTSTART|RDATE|RECURRENCE-ID)((?:;[^:]*)?):(.*)$/i.exec(line);
    if (!property?.[1] || property[3] === undefined) continue;
    for (const date of property[3].matchAll(/\d{8}/g)) {
      const year = Number(date[0].slice(0, 4));
      if (year < 1900 || year > 2200) continue;
      all.push(date[0]);
      if (property[1].toUpperCase() === "DTSTART") starts.push(date[0]);
    }
  }
  return { all, starts };
}

const yearStart = (year: number): string => `${String(year).padStart(4, "0")}-01-01T00:00:00Z`;

/** Bounded windows that cover the calendar's events, in each of `ZONES`; see the header. */
function windowsFor(text: string): Window[] {
  const windows: Omit<Window, "zone">[] = [];
  const { all, starts } = eventDates(text);
  const years = all.map((date) => Number(date.slice(0, 4)));
  if (years.length > 0) {
    const first = Math.min(...years) - 1;
    const last = Math.max(...years) + 1;
    const chunks: number[] = [];
    for (let year = first; year <= last; year += 3) chunks.push(year);
    const kept = chunks.length > 6 ? [...chunks.slice(0, 3), ...chunks.slice(-3)] : chunks;
    for (const year of kept) windows.push({ start: yearStart(year), end: yearStart(year + 3) });
  }
  const earliest = starts.sort()[0];
  if (earliest) {
    const day = `${earliest.slice(0, 4)}-${earliest.slice(4, 6)}-${earliest.slice(6, 8)}`;
    const start = Date.parse(`${day}T12:30:00Z`);
    windows.push({
      start: new Date(start).toISOString(),
      end: new Date(start + 40 * 86_400_000).toISOString(),
    });
  }
  if (!windows.some((w) => w.start <= yearStart(2030) && w.end >= yearStart(2031))) {
    windows.push({ start: yearStart(2030), end: yearStart(2031) });
  }
  return ZONES.flatMap((zone) => windows.map((w) => ({ ...w, zone })));
}

function runPython(path: string, mode: Mode, windows: Window[]): PythonResult {
  const flags = mode === "default" ? ["--ignore-x-wr-timezone"] : [];
  const run = spawnSync(
    PYTHON,
    [SCRIPT, ...flags, path, ZONES[0], ...windows.map((w) => `${w.start}/${w.end}@${w.zone}`)],
    { encoding: "utf8", timeout: 120_000, maxBuffer: 256 * 1024 * 1024 },
  );
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`expand.py exited ${run.status}: ${run.stderr}`);
  return JSON.parse(run.stdout) as PythonResult;
}

function pythonSide(result: PythonResult, index: number): Side {
  const window = result.windows[index];
  const error = result.error ?? window?.error ?? (window ? undefined : "no result");
  if (error || !window) return { error: error ?? "no result", occurrences: [] };
  return {
    occurrences: window.occurrences
      .filter((o) => o.status !== "CANCELLED")
      .map((o) => ({
        uid: o.uid ?? NO_UID,
        startEpochMs: o.start,
        endEpochMs: o.end,
        blocks: o.transp !== "TRANSPARENT",
        ...(o.summary !== null ? { summary: o.summary } : {}),
      })),
  };
}

/** The values of the file's UID properties. */
function uidsOf(text: string): Set<string> {
  const uids = new Set<string>();
  for (const line of contentLines(text)) {
    const match = /^UID(?:;[^:]*)?:(.*)$/i.exec(line);
    if (match?.[1] !== undefined) uids.add(match[1].trim());
  }
  return uids;
}

function allySides(text: string, source: string, mode: Mode, windows: Window[]): Side[] {
  const uids = uidsOf(text);
  const parsed = parseICalendar(text, source, { applyXWrTimeZone: mode === "x-wr-timezone" });
  if (!parsed.ok) {
    const error = `parse failed: ${parsed.error.message}`;
    return windows.map(() => ({ error, occurrences: [] }));
  }
  return windows.map((w) => {
    try {
      const { occurrences } = expandOccurrences(
        parsed.calendar,
        { startEpochMs: Date.parse(w.start), endEpochMs: Date.parse(w.end) },
        { zone: w.zone },
      );
      const unsorted = occurrences.findIndex(
        (o, i) => i > 0 && o.startEpochMs < (occurrences[i - 1]?.startEpochMs ?? -Infinity),
      );
      return {
        // expandOccurrences promises occurrences sorted by start.
        ...(unsorted > 0 ? { error: `occurrences not sorted by start at index ${unsorted}` } : {}),
        occurrences: occurrences
          .filter((o) => !o.cancelled)
          .map((o) => ({
            uid: uids.has(o.uid) ? o.uid : NO_UID,
            startEpochMs: o.startEpochMs,
            endEpochMs: o.endEpochMs,
            blocks: !o.transparent,
            ...(o.summary !== undefined ? { summary: o.summary } : {}),
          })),
      };
    } catch (error) {
      return { error: `expandOccurrences threw: ${String(error)}`, occurrences: [] };
    }
  });
}

const keyOf = (o: Compared): string =>
  `${o.uid}|${o.startEpochMs}|${o.endEpochMs}|${o.blocks ? "busy" : "free"}`;

/** Elements of `a` not matched by one of `b` (multiset difference). */
function minus(a: Compared[], b: Compared[]): Compared[] {
  const counts = new Map<string, number>();
  for (const o of b) counts.set(keyOf(o), (counts.get(keyOf(o)) ?? 0) + 1);
  const rest: Compared[] = [];
  for (const o of a) {
    const n = counts.get(keyOf(o)) ?? 0;
    if (n > 0) counts.set(keyOf(o), n - 1);
    else rest.push(o);
  }
  return rest;
}

function compareFile(name: string): WindowDiff[] {
  const path = join(CORPUS, name);
  const text = readFileSync(path, "utf8");
  const windows = windowsFor(text);
  const modes: Mode[] = /^X-WR-TIMEZONE[;:]/im.test(text)
    ? ["default", "x-wr-timezone"]
    : ["default"];
  const diffs: WindowDiff[] = [];
  for (const mode of modes) {
    const python = runPython(path, mode, windows);
    const ally = allySides(text, name, mode, windows);
    windows.forEach((window, index) => {
      const allySide = ally[index] ?? { error: "no result", occurrences: [] };
      const pySide = pythonSide(python, index);
      const onlyAlly = minus(allySide.occurrences, pySide.occurrences);
      const onlyPython = minus(pySide.occurrences, allySide.occurrences);
      if (allySide.error || pySide.error || onlyAlly.length > 0 || onlyPython.length > 0) {
        diffs.push({ mode, window, ally: allySide, python: pySide, onlyAlly, onlyPython });
      }
    });
  }
  return diffs;
}

function show(o: Compared): string {
  const start = new Date(o.startEpochMs).toISOString();
  const end = new Date(o.endEpochMs).toISOString();
  const summary = o.summary ? ` "${o.summary.slice(0, 40)}"` : "";
  return `${o.uid} ${start} – ${end}${o.blocks ? "" : " (transparent)"}${summary}`;
}

function report(name: string, diffs: WindowDiff[]): string {
  const lines = [`${name} differs from python-recurring-ical-events:`];
  for (const d of diffs) {
    const mode = d.mode === "default" ? "" : " (X-WR-TIMEZONE applied)";
    lines.push(`  window ${d.window.start} – ${d.window.end} in ${d.window.zone}${mode}`);
    if (d.ally.error) lines.push(`    Ally error: ${d.ally.error}`);
    if (d.python.error) lines.push(`    python error: ${d.python.error}`);
    for (const [label, list] of [
      ["only Ally", d.onlyAlly],
      ["only python", d.onlyPython],
    ] as const) {
      for (const o of list.slice(0, 12)) lines.push(`    ${label}: ${show(o)}`);
      if (list.length > 12) lines.push(`    ${label}: … ${list.length - 12} more`);
    }
  }
  return lines.join("\n");
}

const files = corpusFiles();
const missing = !existsSync(CORPUS)
  ? `corpus folder ${CORPUS} is absent`
  : files.length === 0
    ? `corpus folder ${CORPUS} has no .ics files`
    : pythonProblem();

describe("recurrence expansion agrees with python-recurring-ical-events", () => {
  if (missing) {
    if (CI) {
      it("has the corpus and the reference implementation (required when CI=true)", () => {
        expect.fail(missing);
      });
    } else {
      console.warn(`differential recurrence test skipped: ${missing}`);
      it.skip(`skipped: ${missing}`, () => {});
    }
    return;
  }

  const expectedFailures = readExpectedFailures();

  it("lists only corpus files as expected failures", () => {
    const stale = [...expectedFailures.keys()].filter((name) => !files.includes(name));
    expect(stale, "entries of differential-expected-failures.txt without a corpus file").toEqual(
      [],
    );
  });

  it.each(files)("%s", (name) => {
    const diffs = compareFile(name);
    const expected = expectedFailures.get(name);
    if (expected === undefined) {
      if (diffs.length > 0) expect.fail(report(name, diffs));
      return;
    }
    if (diffs.length === 0) {
      expect.fail(
        `${name} now agrees with python-recurring-ical-events: remove it from differential-expected-failures.txt (listed because: ${expected.reason})`,
      );
    }
    // The counts pin the known difference: a new one in a listed file is not hidden by it.
    const actual = tally(diffs);
    if (showTally(actual) !== showTally(expected)) {
      expect.fail(
        `${name} differs in another way than differential-expected-failures.txt says (${showTally(expected)}, now ${showTally(actual)}; listed because: ${expected.reason})\n${report(name, diffs)}`,
      );
    }
  });
});
