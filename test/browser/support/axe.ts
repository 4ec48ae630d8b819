/**
 * The axe-core accessibility audit (Deque's rules for WCAG 2.x A and AA and best practice), run
 * in the page: the script is evaluated through the DevTools protocol, so the page's
 * Content-Security-Policy (which forbids scripts of its own) is not loosened for it.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Page } from "playwright-core";
import { z } from "zod";
import { pageFindings } from "./browser.js";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const violations = z.array(
  z.object({
    id: z.string(),
    impact: z.string().nullable().optional(),
    help: z.string(),
    nodes: z.array(z.object({ target: z.array(z.unknown()) })),
  }),
);

export interface AxeFinding {
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/** Every axe violation on the page as it is now, with its impact. */
export async function axeViolations(page: Page): Promise<AxeFinding[]> {
  await page.evaluate(AXE_SOURCE);
  const found = violations.parse(
    await page.evaluate(
      `axe.run(document, { resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
    ),
  );
  return found.map((v) => ({
    rule: v.id,
    impact: v.impact ?? "unknown",
    help: v.help,
    targets: v.nodes.map((n) => n.target.map(String).join(" ")),
  }));
}

/** The serious and critical findings, one line each, named after the page; empty when none. */
export async function seriousAxeFindings(page: Page, name: string): Promise<string[]> {
  return (await axeViolations(page))
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${name}: axe ${v.impact} ${v.rule} (${v.help}) at ${v.targets.join(", ")}`);
}

/** A phone's viewport and a laptop's, the two widths every page is checked at. */
export const PHONE = { width: 390, height: 844 };
export const LAPTOP = { width: 1280, height: 800 };

/**
 * The shared page checks (browser.ts `pageFindings`) and axe at the phone's width and the
 * laptop's, then a full-page screenshot at the page's own width into `screenshotPath`.
 * @example findings.push(...(await auditAtBothWidths(page, "settings", join(SHOTS, "x.png"))))
 */
export async function auditAtBothWidths(
  page: Page,
  name: string,
  screenshotPath: string,
): Promise<string[]> {
  const own = page.viewportSize() ?? PHONE;
  const findings: string[] = [];
  for (const [label, size] of [
    ["390 px", PHONE],
    ["1280 px", LAPTOP],
  ] as const) {
    await page.setViewportSize(size);
    findings.push(...(await pageFindings(page, `${name} at ${label}`)));
    findings.push(...(await seriousAxeFindings(page, `${name} at ${label}`)));
  }
  await page.setViewportSize(own);
  await page.screenshot({ path: screenshotPath, fullPage: true });
  return findings;
}
