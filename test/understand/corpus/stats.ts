/**
 * Prints the corpus make-up as Markdown tables (for the README):
 * `npx tsx test/understand/corpus/stats.ts`.
 */
import { CATEGORIES, type CorpusCase, INTENTS, LANGUAGES, loadCorpus } from "./corpus.js";

function table(title: string, rows: [string, (c: CorpusCase) => boolean][]): string {
  const { tune, dev, dev2, dev3, heldOut } = loadCorpus();
  const lines = [
    `| ${title} | tune | dev | dev2 | dev3 | held-out | total |`,
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
  ];
  for (const [name, matches] of rows) {
    const a = tune.filter(matches).length;
    const d = dev.filter(matches).length;
    const d2 = dev2.filter(matches).length;
    const d3 = dev3.filter(matches).length;
    const b = heldOut.filter(matches).length;
    lines.push(`| ${name} | ${a} | ${d} | ${d2} | ${d3} | ${b} | ${a + d + d2 + d3 + b} |`);
  }
  return lines.join("\n");
}

const { tune, dev, dev2, dev3, heldOut } = loadCorpus();
const out = [
  `Cases: ${tune.length} tune, ${dev.length} dev, ${dev2.length} dev2, ${dev3.length} dev3, ${heldOut.length} held-out, ${tune.length + dev.length + dev2.length + dev3.length + heldOut.length} in all.`,
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
