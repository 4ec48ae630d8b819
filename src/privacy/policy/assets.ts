/**
 * The privacy policy's Markdown files are data, not code: the TypeScript compiler leaves them
 * out of `dist/`. `npm run build` copies them beside the compiled modules (through
 * scripts/copy-build-assets.ts), so a server started from `dist/` (`npm start`) reads every
 * version from next to itself, and needs no source tree.
 */
import { copyFileSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** Copies every `.md` file of `fromDir` into `toDir` (made if missing); returns their names. */
export function copyPolicyMarkdown(fromDir: string, toDir: string): string[] {
  mkdirSync(toDir, { recursive: true });
  const names = readdirSync(fromDir)
    .filter((name) => name.endsWith(".md"))
    .sort();
  for (const name of names) copyFileSync(join(fromDir, name), join(toDir, name));
  return names;
}
