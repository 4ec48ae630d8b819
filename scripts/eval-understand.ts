/**
 * `npm run eval:understand`: scores the reader on the labelled corpus
 * (test/understand/corpus/). Prints accuracy per intent and per field, the calibration table
 * (accuracy per confidence bucket) and the wrong readings above the threshold, for the tuning
 * and the three development parts; the held-out part is reported separately, as counts only, never case
 * by case.
 *   --tune-failures   list every tuning and development case read wrongly (for work on the reader)
 *   --no-held-out     skip the held-out part
 *   --json            print the figures as JSON
 */

import { DEFAULT_THRESHOLD } from "../src/understand/confidence.js";
import { understand } from "../src/understand/index.js";
import type { Reading } from "../src/understand/types.js";
import { type CorpusCase, loadCorpus } from "../test/understand/corpus/corpus.js";

export type FieldName =
  | "intent"
  | "choice"
  | "windows"
  | "unavailable"
  | "timeZone"
  | "privacyRequest";
const FIELDS: FieldName[] = [
  "intent",
  "choice",
  "windows",
  "unavailable",
  "timeZone",
  "privacyRequest",
];
const BUCKETS: [number, number][] = [
  [0, 0.2],
  [0.2, 0.4],
  [0.4, 0.6],
  [0.6, 0.8],
  [0.8, 0.9],
  [0.9, 1.01],
];

const norm = (list: { start: string; end: string }[]) =>
  list
    .map((w) => `${new Date(w.start).toISOString()}/${new Date(w.end).toISOString()}`)
    .sort()
    .join(",");

export function fieldsWrong(c: CorpusCase, r: Reading): FieldName[] {
  const e = c.expect;
  const wrong: FieldName[] = [];
  if (r.intent !== e.intent) wrong.push("intent");
  if (r.choice !== e.choice) wrong.push("choice");
  if (norm(r.windows) !== norm(e.windows)) wrong.push("windows");
  if (norm(r.unavailable) !== norm(e.unavailable)) wrong.push("unavailable");
  if (r.timeZone !== e.timeZone) wrong.push("timeZone");
  if (r.privacyRequest !== e.privacyRequest) wrong.push("privacyRequest");
  return wrong;
}

export type PartScore = {
  cases: number;
  fullyRight: number;
  aboveThreshold: number;
  rightAboveThreshold: number;
  /** Wrong, or labelled ambiguous, yet above the threshold: a person would not have seen it. */
  wrongAboveThreshold: number;
  /** Below the threshold although the reading was right and the case not ambiguous. */
  needlesslyAsked: number;
  perIntent: Record<string, { cases: number; right: number }>;
  perField: Record<FieldName, number>;
  buckets: { range: string; cases: number; right: number }[];
};

export function scorePart(
  cases: CorpusCase[],
  threshold: number,
  onCase?: (c: CorpusCase, r: Reading, wrong: FieldName[]) => void,
): PartScore {
  const s: PartScore = {
    cases: cases.length,
    fullyRight: 0,
    aboveThreshold: 0,
    rightAboveThreshold: 0,
    wrongAboveThreshold: 0,
    needlesslyAsked: 0,
    perIntent: {},
    perField: Object.fromEntries(FIELDS.map((f) => [f, 0])) as Record<FieldName, number>,
    buckets: BUCKETS.map(([a, b]) => ({
      range: `${a.toFixed(1)}–${Math.min(b, 1).toFixed(1)}`,
      cases: 0,
      right: 0,
    })),
  };
  for (const c of cases) {
    const r = understand(c.input);
    const wrong = fieldsWrong(c, r);
    const right = wrong.length === 0;
    for (const f of FIELDS) if (!wrong.includes(f)) s.perField[f]++;
    const pi = s.perIntent[c.expect.intent] ?? { cases: 0, right: 0 };
    s.perIntent[c.expect.intent] = pi;
    pi.cases++;
    if (right) {
      s.fullyRight++;
      pi.right++;
    }
    const bucket = s.buckets[BUCKETS.findIndex(([a, b]) => r.confidence >= a && r.confidence < b)];
    if (bucket) {
      bucket.cases++;
      if (right && !c.expect.ambiguous) bucket.right++;
    }
    if (r.confidence >= threshold) {
      s.aboveThreshold++;
      if (right && !c.expect.ambiguous) s.rightAboveThreshold++;
      else s.wrongAboveThreshold++;
    } else if (right && !c.expect.ambiguous) s.needlesslyAsked++;
    onCase?.(c, r, wrong);
  }
  return s;
}

const pct = (a: number, b: number) => (b === 0 ? "–" : `${((100 * a) / b).toFixed(1)}%`);

function printPart(title: string, s: PartScore): void {
  console.log(`\n## ${title}: ${s.cases} cases`);
  console.log(`fully right: ${s.fullyRight}/${s.cases} (${pct(s.fullyRight, s.cases)})`);
  console.log(
    `above threshold: ${s.aboveThreshold} (${pct(s.aboveThreshold, s.cases)} answered without a person), right ${s.rightAboveThreshold}, wrong ${s.wrongAboveThreshold}`,
  );
  console.log(`below threshold although right: ${s.needlesslyAsked}`);
  console.log("\n| intent | cases | fully right |\n| --- | ---: | ---: |");
  for (const [intent, v] of Object.entries(s.perIntent))
    console.log(`| ${intent} | ${v.cases} | ${pct(v.right, v.cases)} |`);
  console.log("\n| field | right |\n| --- | ---: |");
  for (const f of FIELDS) console.log(`| ${f} | ${pct(s.perField[f], s.cases)} |`);
  console.log("\n| confidence | cases | right (not ambiguous) |\n| --- | ---: | ---: |");
  for (const b of s.buckets) console.log(`| ${b.range} | ${b.cases} | ${pct(b.right, b.cases)} |`);
}

function main(): void {
  const args = process.argv.slice(2);
  const threshold = DEFAULT_THRESHOLD;
  const { tune, dev, dev2, dev3, heldOut } = loadCorpus();
  const listed = (name: string, cases: CorpusCase[]) => {
    const wrongAbove: string[] = [];
    const failures: string[] = [];
    const score = scorePart(cases, threshold, (c, r, wrong) => {
      const line = `${c.id} [${wrong.join(",") || (c.expect.ambiguous ? "ambiguous" : "")}] conf ${r.confidence}: ${JSON.stringify(c.input.text.slice(0, 90))} → ${JSON.stringify({ ...r, confidence: undefined })}`;
      if (r.confidence >= threshold && (wrong.length > 0 || c.expect.ambiguous))
        wrongAbove.push(line);
      if (wrong.length > 0) failures.push(line);
    });
    return { name, score, wrongAbove, failures };
  };
  const parts = [
    listed("tune", tune),
    listed("dev", dev),
    listed("dev2", dev2),
    listed("dev3", dev3),
  ];
  const heldScore = args.includes("--no-held-out") ? undefined : scorePart(heldOut, threshold);
  if (args.includes("--json")) {
    const [t, d, d2, d3] = parts;
    console.log(
      JSON.stringify(
        {
          threshold,
          tune: t?.score,
          dev: d?.score,
          dev2: d2?.score,
          dev3: d3?.score,
          heldOut: heldScore,
        },
        null,
        2,
      ),
    );
    return;
  }
  console.log(`# ally understand on the corpus (threshold ${threshold})`);
  for (const p of parts) {
    printPart(p.name, p.score);
    console.log(`\nwrong readings above threshold (${p.name}): ${p.wrongAbove.length}`);
    for (const l of p.wrongAbove) console.log(`  ${l}`);
    if (args.includes("--tune-failures")) {
      console.log(`\nall ${p.name} failures: ${p.failures.length}`);
      for (const l of p.failures) console.log(`  ${l}`);
    }
  }
  if (heldScore) {
    printPart("held-out (scored only, never tuned on)", heldScore);
    console.log(`\nwrong readings above threshold (held-out): ${heldScore.wrongAboveThreshold}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
