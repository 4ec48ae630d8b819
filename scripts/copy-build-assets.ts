/**
 * The second half of `npm run build`: copies what the compiler does not (the privacy policy's
 * Markdown versions) from src/ into dist/.
 *
 * @example npx tsx scripts/copy-build-assets.ts   # prints what it copied
 */
import { resolve } from "node:path";
import { copyPolicyMarkdown } from "../src/privacy/policy/assets.js";

const root = resolve(import.meta.dirname, "..");
const copied = copyPolicyMarkdown(
  resolve(root, "src/privacy/policy"),
  resolve(root, "dist/privacy/policy"),
);
console.log(`copied to dist/privacy/policy: ${copied.join(", ")}`);
