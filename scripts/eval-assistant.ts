/**
 * `npm run eval:assistant`: the conversation simulator (test/assistant/simulator/). Runs scripted
 * candidate threads against a fresh Ally with a fixed clock, through the real inbound store,
 * inbound worker, outbox worker and job worker, and prints the figures: share booked with no
 * human, share escalated, wrong bookings (target 0), messages per booking and the time from a
 * reply to Ally's answer (p95 target under 60 s with the configured worker interval), then a
 * line per template. Exits 1 when any booking is wrong.
 *   --threads N   how many threads (200 unless given)
 *   --seed S      the generator's seed (16 unless given); the same seed gives the same threads
 *   --json        print the figures and each thread's result as JSON
 *   --verbose     list every thread that did not end as its script expects
 *   --thread ID   print one thread's script and transcript
 */
import { simulate, type ThreadResult } from "../test/assistant/simulator/run.js";

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  if (at === -1) return fallback;
  const value = Number(process.argv[at + 1]);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`${name} must be a positive whole number`);
  }
  return value;
}

const threads = argument("--threads", 200);
const seed = argument("--seed", 16);
const { results, figures } = await simulate({ threads, seed });

const share = (n: number) => `${((100 * n) / Math.max(1, figures.threads)).toFixed(1)}%`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

if (process.argv.includes("--json")) {
  console.log(
    JSON.stringify(
      {
        figures,
        threads: results.map((r) => ({
          id: r.scenario.id,
          template: r.scenario.template,
          zone: r.scenario.candidate.timeZone,
          expected: r.scenario.expected,
          outcome: r.outcome,
          escalated: r.escalated,
          wrong: r.wrong,
          unanswered: r.unanswered,
          messages: r.messages,
        })),
      },
      null,
      2,
    ),
  );
} else {
  const rows: [string, string][] = [
    ["threads", `${figures.threads} (seed ${seed})`],
    ["booked with no human", `${figures.bookedWithNoHuman} (${share(figures.bookedWithNoHuman)})`],
    ["booked in all", `${figures.booked} (${share(figures.booked)})`],
    ["escalated (a person asked)", `${figures.escalated} (${share(figures.escalated)})`],
    ["cancelled", `${figures.cancelled} (${share(figures.cancelled)})`],
    ["waiting for the candidate", `${figures.waiting} (${share(figures.waiting)})`],
    [
      "ended as the script expects",
      `${figures.endedAsExpected} (${share(figures.endedAsExpected)})`,
    ],
    ["wrong bookings (target 0)", String(figures.wrongBookings)],
    ["replies left unanswered", String(figures.unansweredReplies)],
    ["auto-replies answered", String(figures.answeredAutoReplies)],
    ["messages per booking", figures.messagesPerBooking.toFixed(2)],
    [
      "reply to answer p50 / p95 / max",
      `${seconds(figures.replyToAnswerP50Ms)} / ${seconds(figures.replyToAnswerP95Ms)} / ${seconds(figures.replyToAnswerMaxMs)} (target p95 < 60 s)`,
    ],
    [
      "worker intervals",
      `mail ${seconds(figures.mailPollMs)} (inbound, outbox), jobs ${seconds(figures.jobPollMs)}`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  console.log("Ally conversation simulator\n");
  for (const [label, value] of rows) console.log(`  ${label.padEnd(width)}  ${value}`);

  console.log("\n  per template                 threads  booked  no human  escalated  as expected");
  const byTemplate = new Map<string, ThreadResult[]>();
  for (const r of results) {
    byTemplate.set(r.scenario.template, [...(byTemplate.get(r.scenario.template) ?? []), r]);
  }
  for (const [template, list] of [...byTemplate].sort(([a], [b]) => a.localeCompare(b))) {
    const n = (p: (r: ThreadResult) => boolean) => String(list.filter(p).length);
    console.log(
      `  ${template.padEnd(28)} ${String(list.length).padStart(7)} ${n((r) => r.outcome === "booked").padStart(7)} ${n((r) => r.outcome === "booked" && !r.escalated).padStart(9)} ${n((r) => r.escalated).padStart(10)} ${n((r) => r.outcome === r.scenario.expected).padStart(12)}`,
    );
  }
  const wrong = results.filter((r) => r.wrong !== null);
  if (wrong.length > 0) {
    console.log("\n  wrong bookings:");
    for (const r of wrong) console.log(`    ${r.scenario.id} ${r.scenario.template}: ${r.wrong}`);
  }
  const shown = process.argv.indexOf("--thread");
  if (shown !== -1) {
    const thread = results.find((r) => r.scenario.id === process.argv[shown + 1]);
    console.log(`\n${JSON.stringify(thread?.scenario)}\n${thread?.transcript.join("\n\n")}`);
  }
  if (process.argv.includes("--verbose")) {
    console.log("\n  threads that did not end as expected:");
    for (const r of results.filter((x) => x.outcome !== x.scenario.expected)) {
      console.log(
        `    ${r.scenario.id} ${r.scenario.template} (${r.scenario.candidate.timeZone}): expected ${r.scenario.expected}, ended ${r.outcome}${r.unanswered > 0 ? `, ${r.unanswered} unanswered` : ""}`,
      );
    }
  }
}

if (figures.wrongBookings > 0) process.exitCode = 1;
