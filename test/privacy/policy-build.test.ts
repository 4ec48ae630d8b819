/**
 * The policy's Markdown reaches the build: `npm run build` ends by copying every version beside
 * the compiled modules, so a server run from `dist/` (`npm start`) reads them from next to
 * itself. The copy is checked here on a scratch folder, byte for byte, for every published
 * version; and the build script is checked to run it.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { copyPolicyMarkdown } from "../../src/privacy/policy/assets.js";
import { POLICY_VERSIONS, policySource } from "../../src/privacy/policy/versions.js";

const SOURCE = fileURLToPath(new URL("../../src/privacy/policy/", import.meta.url));
const PACKAGE = fileURLToPath(new URL("../../package.json", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "ally-policy-build-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the privacy policy in the build", () => {
  it("copies every published version's Markdown, unchanged", () => {
    const out = join(scratch, "dist", "privacy", "policy");
    const copied = copyPolicyMarkdown(SOURCE, out);
    for (const { version } of POLICY_VERSIONS) {
      expect(copied).toContain(`v${version}.md`);
      expect(readFileSync(join(out, `v${version}.md`), "utf8")).toBe(policySource(version));
    }
  });

  it("is copied by the build script, after the compiler", () => {
    const pkg = z
      .object({ scripts: z.object({ build: z.string() }) })
      .parse(JSON.parse(readFileSync(PACKAGE, "utf8")));
    expect(pkg.scripts.build).toMatch(/^tsc -p tsconfig\.build\.json && .*copy-build-assets\.ts$/);
  });
});
