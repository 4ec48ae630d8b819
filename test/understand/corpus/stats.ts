/**
 * Prints the corpus make-up as Markdown tables (for the README):
 * `npx tsx test/understand/corpus/stats.ts`.
 */
import { CATEGORIES, type CorpusCase, INTENTS, LANGUAGES, loadCorpus } from "./corpus.js";

function table(title: string, rows: [string, (c: CorpusCase) => boolean][]): string {
  const { tune, dev, heldOut } = loadCorpus();
  const lines = [
    `| ${title} | tune | dev | held-out | total |`,
    "| --- | ---: | ---: | ---: | ---: |",
  ];
  for (const [name, matches] of rows) {
    const a = tune.filter(matches).length;
    const d = dev.filter(matches).length;
    const b = heldOut.filter(matches).length;
    lines.push(`| ${name} | ${a} | ${d} | ${b} | ${a + d + b} |`);
  }
  return lines.join("\n");
}

const { tune, dev, heldOut } = loadCorpus();
const out = [
  `Cases: ${tune.length} tune, ${dev.length} dev, ${heldOut.length} held-out, ${tune.length + dev.length + heldOut.length} in all.`,
  "",
  table(
    "expected intent",
    INTENTS.map((intent) => [intent, (c: CorpusCase) => c.expect.intent === intent]),
  ),
  "",
  table(
    "language",
    LANGUAGES.map((lang) => [lang, (c: CorpusCase) => c.lang === lang]),
  ),
  "",
  table("category", Object.entries(CATEGORIES)),
];
console.log(out.join("\n"));
