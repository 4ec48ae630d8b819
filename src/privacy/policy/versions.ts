/**
 * Every version of the privacy policy, oldest first. A version, once published, never changes:
 * add `vN.md` beside the others and a line here with what changed, then run
 * `ally privacy publish N`.
 */
import { existsSync, readFileSync } from "node:fs";

export interface PolicyVersion {
  version: number;
  /** The day it takes effect (ISO date). */
  effectiveOn: string;
  /** What changed since the version before, in a sentence or two. */
  summary: string;
}

export const POLICY_VERSIONS: readonly PolicyVersion[] = [
  {
    version: 1,
    effectiveOn: "2026-12-03",
    summary:
      "First version: what Ally keeps and why, legal bases, cookies, third parties, retention, your rights, complaints and contact.",
  },
];

export function latestPolicyVersion(): PolicyVersion {
  return POLICY_VERSIONS[POLICY_VERSIONS.length - 1] as PolicyVersion;
}

export function policyVersion(version: number): PolicyVersion | undefined {
  return POLICY_VERSIONS.find((v) => v.version === version);
}

const cache = new Map<number, string>();

/**
 * The Markdown source of a version. Compiled builds (dist/) do not copy `.md` files, so the
 * source tree beside them is read when the file is not next to this module.
 */
export function policySource(version: number): string {
  const cached = cache.get(version);
  if (cached !== undefined) return cached;
  if (policyVersion(version) === undefined) throw new Error(`no privacy policy version ${version}`);
  const candidates = [
    new URL(`./v${version}.md`, import.meta.url),
    new URL(`../../../src/privacy/policy/v${version}.md`, import.meta.url),
  ];
  const found = candidates.find((url) => existsSync(url));
  if (found === undefined) throw new Error(`privacy policy v${version}.md is missing`);
  const source = readFileSync(found, "utf8");
  cache.set(version, source);
  return source;
}
