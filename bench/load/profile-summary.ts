/**
 * Where the CPU time went in a `.cpuprofile` (node --cpu-prof): shares of the sampled time by
 * file and by function (self time), and the inclusive share of the functions named on the
 * command line. Shares stay meaningful on a busy machine where absolute times do not.
 *   node --import tsx bench/load/profile-summary.ts FILE.cpuprofile [function …]
 */
import { readFileSync } from "node:fs";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function shortUrl(url: string): string {
  const at = url.search(/\/(dist|src|node_modules)\//);
  return at < 0 ? url || "(native)" : url.slice(at + 1);
}

export function summarise(profile: Profile, focus: readonly string[], top = 25): string {
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => {
    self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const idle = new Set(["(idle)", "(program)", "(garbage collector)"]);
  const add = (map: Map<string, number>, key: string, value: number) =>
    map.set(key, (map.get(key) ?? 0) + value);
  const byFile = new Map<string, number>();
  const byFunction = new Map<string, number>();
  for (const [id, time] of self) {
    const node = byId.get(id);
    if (node === undefined) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = idle.has(functionName) ? functionName : shortUrl(url);
    add(byFile, file, time);
    add(byFunction, `${functionName || "(anonymous)"} ${file}:${lineNumber + 1}`, time);
  }
  // Inclusive time of a function: every sample under a frame of that name, counted once.
  const inclusive = new Map<string, number>();
  const walk = (id: number, inside: Set<string>) => {
    const node = byId.get(id);
    if (node === undefined) return;
    const name = node.callFrame.functionName;
    const here = focus.includes(name) && !inside.has(name) ? new Set([...inside, name]) : inside;
    const time = self.get(id) ?? 0;
    for (const f of here) add(inclusive, f, time);
    for (const child of node.children ?? []) walk(child, here);
  };
  const root = profile.nodes[0];
  if (root !== undefined) walk(root.id, new Set());
  const pct = (t: number) => `${((100 * t) / total).toFixed(1).padStart(5)} %`;
  const list = (map: Map<string, number>) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, t]) => `${pct(t)}  ${k}`)
      .join("\n");
  return [
    `sampled ${(total / 1e6).toFixed(2)} s`,
    "by file (self):",
    list(byFile),
    "by function (self):",
    list(byFunction),
    ...(focus.length === 0 ? [] : ["inclusive:", list(inclusive)]),
  ].join("\n");
}

const [file, ...focus] = process.argv.slice(2);
if (file !== undefined) {
  process.stdout.write(`${summarise(JSON.parse(readFileSync(file, "utf8")) as Profile, focus)}\n`);
}
