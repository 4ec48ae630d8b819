/**
 * Conformance with libical's recurrence suite (`icalrecur_test.txt`): every block's RRULE is
 * expanded from its DTSTART and the instance list must equal libical's exactly. Blocks with
 * START-AT are also expanded from that instant (the fast-forward path) and must give the tail
 * of the same list.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import {
  expandRecurrence,
  parseDateTimeText,
  parseRecurrenceRule,
} from "../../src/calendar/recurrence.js";
import { civilFromDays } from "../../src/engine/civil.js";

const here = dirname(fileURLToPath(import.meta.url));
const corpus = resolve(here, "../../../shared/corpora/libical/icalrecur_test.txt");
const expectedFailuresFile = resolve(here, "icalrecur-expected-failures.txt");

interface Case {
  name: string;
  line: number;
  rrule: string;
  dtstart: string;
  startAt?: string;
  instances: string;
}

function readCases(text: string): Case[] {
  const cases: Case[] = [];
  let comment = "";
  let current: Partial<Case> & { line?: number } = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === "") {
      comment = "";
      return;
    }
    if (line.startsWith("#")) {
      if (comment === "") comment = line.slice(1).trim();
      return;
    }
    const colon = line.indexOf(":");
    const key = line.slice(0, colon);
    const value = line.slice(colon + 1).trim();
    if (key === "RRULE") current = { rrule: value, line: index + 1, name: comment };
    else if (key === "DTSTART") current.dtstart = value;
    else if (key === "START-AT") current.startAt = value;
    else if (key === "INSTANCES") {
      current.instances = value;
      const c = current as Case;
      cases.push({ ...c, name: `line ${c.line}: ${c.name || c.rrule}` });
      current = {};
    }
  });
  return cases;
}

function format(localSeconds: number, dateOnly: boolean, utc: boolean): string {
  const day = Math.floor(localSeconds / 86_400);
  const sod = localSeconds - day * 86_400;
  const { year, month, day: dom } = civilFromDays(day);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  const date = `${p(year, 4)}${p(month)}${p(dom)}`;
  if (dateOnly) return date;
  const time = `${p(Math.floor(sod / 3600))}${p(Math.floor((sod % 3600) / 60))}${p(sod % 60)}`;
  return `${date}T${time}${utc ? "Z" : ""}`;
}

/**
 * libical has no answer for a few rules (INSTANCES is an error message); these are the
 * RFC 5545 answers, worked out by hand.
 */
const OWN_ANSWERS: Record<string, string> = {
  // BYWEEKNO=1 with BYMONTH=12;BYMONTHDAY=30: 30 Dec is in week 1 of the next year when it is a
  // Monday or Tuesday (2024, 2025, 2030, 2031).
  "RRULE:FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=30;BYWEEKNO=1;UNTIL=20320101 DTSTART:20241230":
    "20241230,20251230,20301230,20311230",
};

const present = existsSync(corpus);
if (!present && process.env.CI === "true") {
  throw new Error(`libical corpus missing at ${corpus}; it must be present in CI`);
}

describe.skipIf(!present)("libical icalrecur_test.txt conformance", () => {
  if (!present) {
    it.skip(`skipped: corpus not found at ${corpus}`, () => {});
    return;
  }
  const cases = readCases(readFileSync(corpus, "utf8"));
  const expectedFailures = new Map<string, string>();
  if (existsSync(expectedFailuresFile)) {
    for (const line of readFileSync(expectedFailuresFile, "utf8").split("\n")) {
      const t = line.trim();
      if (t === "" || t.startsWith("#")) continue;
      const [lineNo, ...why] = t.split(/\s+/);
      expectedFailures.set(`line ${lineNo}`, why.join(" "));
    }
  }

  it("reads every block of the corpus", () => {
    expect(cases.length).toBeGreaterThanOrEqual(140);
  });

  for (const c of cases) {
    const key = c.name.slice(0, c.name.indexOf(":"));
    const expectFailure = expectedFailures.has(key);
    const run = expectFailure ? it.fails : it;
    run(`expands ${c.name}`, () => {
      const parsed = parseRecurrenceRule(c.rrule);
      if (!parsed.ok) throw new Error(parsed.error);
      const start = parseDateTimeText(c.dtstart);
      if (start === undefined) throw new Error(`bad DTSTART ${c.dtstart}`);
      let expected = c.instances;
      if (expected.startsWith("***")) {
        const own = OWN_ANSWERS[`RRULE:${c.rrule} DTSTART:${c.dtstart}`];
        if (own === undefined) throw new Error(`no answer for ${c.rrule}`);
        expected = own;
      }
      const expectedList = expected.split(",").filter((s) => s !== "");
      const got = expandRecurrence(parsed.rule, start.localSeconds, {
        dateOnly: start.dateOnly,
        maxInstances: 10_000,
      }).map((s) => format(s, start.dateOnly, start.utc));
      expect(got).toEqual(expectedList);
      if (c.startAt !== undefined) {
        const at = parseDateTimeText(c.startAt);
        if (at === undefined) throw new Error(`bad START-AT ${c.startAt}`);
        const tail = expandRecurrence(parsed.rule, start.localSeconds, {
          dateOnly: start.dateOnly,
          fromLocalSeconds: at.localSeconds,
        }).map((s) => format(s, start.dateOnly, start.utc));
        expect(tail).toEqual(expectedList.filter((s) => s >= c.startAt!));
      }
    });
  }
});
