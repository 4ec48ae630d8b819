/**
 * Debian's Chromium driven by playwright-core, and the page checks the browser tests share:
 * keyboard focus, labels, width at phone size, layout shift, console errors, loopback only.
 */
import { existsSync } from "node:fs";
import { createServer } from "node:net";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { describe, it, type TestContext } from "vitest";

// The few browser globals the checks below use inside page.evaluate (they run in the page, not
// in Node; the project compiles without the DOM library, so they are declared here, locally).
interface DomElement {
  tagName: string;
  className: string;
  id: string;
  type?: string;
  name?: string;
  textContent: string | null;
  outerHTML: string;
  scrollWidth: number;
  clientWidth: number;
  parentElement: DomElement | null;
  labels?: ArrayLike<DomElement> | null;
  getAttribute(name: string): string | null;
  hasAttribute(name: string): boolean;
  querySelector(selector: string): DomElement | null;
  closest(selector: string): DomElement | null;
  getBoundingClientRect(): { width: number; height: number };
}
interface DomStyle {
  outlineStyle: string;
  outlineWidth: string;
  outlineColor: string;
  backgroundColor: string;
}
interface LayoutShiftEntry {
  value: number;
  hadRecentInput: boolean;
}
declare const document: {
  activeElement: DomElement | null;
  body: DomElement;
  scrollingElement: { scrollWidth: number } | null;
  documentElement: { scrollWidth: number; clientWidth: number };
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  getElementById(id: string): DomElement | null;
};
declare const window: { innerWidth: number };
declare function getComputedStyle(element: DomElement): DomStyle;
declare class PerformanceObserver {
  constructor(callback: (list: { getEntries(): LayoutShiftEntry[] }) => void);
  observe(options: { type: string; buffered: boolean }): void;
  disconnect(): void;
}

export const CHROMIUM_PATH = process.env.ALLY_CHROMIUM ?? "/usr/bin/chromium";

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserUnavailable(): string | undefined {
  return existsSync(CHROMIUM_PATH)
    ? undefined
    : `${CHROMIUM_PATH} is missing (install Debian's chromium, or set ALLY_CHROMIUM)`;
}

export function launchChromium(): Promise<Browser> {
  // playwright-core gives every launch a fresh, empty profile directory of its own.
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    timeout: 60_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** What went wrong in a context: console errors (CSP violations among them) and stray requests. */
export interface ContextProblems {
  consoleErrors: string[];
  offLoopback: string[];
}

/** A context whose pages may reach only `origin`'s host on loopback; everything else is refused. */
export async function newContext(
  browser: Browser,
  origin: string,
  options: Parameters<Browser["newContext"]>[0] = {},
): Promise<{ context: BrowserContext; problems: ContextProblems }> {
  const context = await browser.newContext({ ...options, baseURL: origin });
  context.setDefaultTimeout(15_000);
  context.setDefaultNavigationTimeout(30_000);
  const problems: ContextProblems = { consoleErrors: [], offLoopback: [] };
  const allowed = new URL(origin).host;
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.host === allowed) return route.continue();
    problems.offLoopback.push(url.toString());
    return route.abort("blockedbyclient");
  });
  // A page answered with 4xx (a form with errors, a refusal) is the flow's business, checked by
  // the test; Chromium also logs it as a console error, which is dropped here. Anything else
  // (a CSP violation, a missing stylesheet) is a problem.
  const refusedPages = new Set<string>();
  context.on("response", (response) => {
    if (response.request().resourceType() === "document" && response.status() >= 400) {
      refusedPages.add(response.url());
    }
  });
  context.on("console", (message) => {
    if (message.type() !== "error") return;
    if (
      message.text().startsWith("Failed to load resource") &&
      refusedPages.has(message.location().url)
    ) {
      return;
    }
    problems.consoleErrors.push(`${message.page()?.url() ?? "?"}: ${message.text()}`);
  });
  context.on("weberror", (error) => problems.consoleErrors.push(String(error.error())));
  return { context, problems };
}

export interface FocusInfo {
  tag: string;
  className: string;
  type: string;
  name: string;
  /** The accessible name, roughly: label text, aria-label, or the element's own text. */
  label: string;
  href: string;
}

export function focused(page: Page): Promise<FocusInfo> {
  return page.evaluate(() => {
    const el = document.activeElement;
    if (el === null || el === document.body) {
      return { tag: "body", className: "", type: "", name: "", label: "", href: "" };
    }
    const labels = el.labels ? Array.from(el.labels).map((l) => l.textContent ?? "") : [];
    const label =
      el.getAttribute("aria-label") ??
      (labels.length > 0 ? labels.join(" ") : (el.textContent ?? ""));
    return {
      tag: el.tagName.toLowerCase(),
      className: el.className,
      type: el.type ?? "",
      name: el.name ?? "",
      label: label.replace(/\s+/g, " ").trim(),
      href: el.getAttribute("href") ?? "",
    };
  });
}

/** Presses Tab until the focused element matches; fails after `max` presses. */
export async function tabTo(
  page: Page,
  what: string,
  matches: (info: FocusInfo) => boolean,
  max = 60,
): Promise<FocusInfo> {
  const seen: string[] = [];
  for (let i = 0; i < max; i++) {
    await page.keyboard.press("Tab");
    const info = await focused(page);
    if (matches(info)) return info;
    seen.push(`${info.tag}:${info.label || info.name}`);
  }
  throw new Error(`Tab never reached ${what} on ${page.url()}; focus went: ${seen.join(" → ")}`);
}

export const byLabel =
  (label: string | RegExp) =>
  (info: FocusInfo): boolean =>
    typeof label === "string" ? info.label === label : label.test(info.label);

/** Types into the focused field after selecting whatever it held. */
export async function replaceText(page: Page, text: string): Promise<void> {
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.press("Backspace");
  await page.keyboard.type(text);
}

/** The focused element's outline, and its contrast against the background behind it. */
export function focusIndicator(page: Page): Promise<{
  style: string;
  width: number;
  color: string;
  background: string;
  contrast: number;
}> {
  return page.evaluate(() => {
    const el = document.activeElement ?? document.body;
    const style = getComputedStyle(el);
    const parse = (c: string): [number, number, number, number] => {
      const m = /rgba?\(([^)]+)\)/.exec(c);
      if (!m) return [0, 0, 0, 0];
      const [r = 0, g = 0, b = 0, a = 1] = (m[1] as string)
        .split(/[\s,/]+/)
        .filter(Boolean)
        .map(Number);
      return [r, g, b, a];
    };
    // The colour the outline is drawn over: the nearest opaque background outside the element.
    let node = el.parentElement;
    let background = "rgb(255, 255, 255)";
    while (node) {
      const bg = getComputedStyle(node).backgroundColor;
      if (parse(bg)[3] > 0.5) {
        background = bg;
        break;
      }
      node = node.parentElement;
    }
    const luminance = ([r, g, b]: number[]) => {
      const lin = (v: number) => {
        const s = v / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r ?? 0) + 0.7152 * lin(g ?? 0) + 0.0722 * lin(b ?? 0);
    };
    const a = luminance(parse(style.outlineColor));
    const b = luminance(parse(background));
    return {
      style: style.outlineStyle,
      width: Number.parseFloat(style.outlineWidth),
      color: style.outlineColor,
      background,
      contrast: (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05),
    };
  });
}

/**
 * Tabs through the whole page once (until focus comes back round) and returns every stop whose
 * focus indicator is missing, thinner than 2px or under 3:1 against what surrounds it.
 */
export async function focusProblems(page: Page, maxStops = 120): Promise<string[]> {
  const problems: string[] = [];
  let first: string | undefined;
  for (let i = 0; i < maxStops; i++) {
    await page.keyboard.press("Tab");
    const info = await focused(page);
    if (info.tag === "body") continue;
    const key = `${info.tag}|${info.name}|${info.label}|${info.href}`;
    if (key === first) return problems;
    first ??= key;
    const ring = await focusIndicator(page);
    if (ring.style === "none" || ring.width < 2 || ring.contrast < 3) {
      problems.push(
        `${info.tag} "${info.label || info.name}": outline ${ring.style} ${ring.width}px ${ring.color} on ${ring.background} (${ring.contrast.toFixed(1)}:1)`,
      );
    }
  }
  problems.push(`focus did not come round after ${maxStops} Tab presses`);
  return problems;
}

/** Form controls a screen reader would announce without a name. */
export function unlabelledControls(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    for (const el of Array.from(document.querySelectorAll("input, select, textarea"))) {
      if (el.type === "hidden") continue;
      const named =
        (el.labels != null &&
          Array.from(el.labels).some((l) => (l.textContent ?? "").trim() !== "")) ||
        (el.getAttribute("aria-label") ?? "").trim() !== "" ||
        el.hasAttribute("aria-labelledby");
      if (!named) found.push(`${el.tagName.toLowerCase()}[name=${el.name ?? ""}]#${el.id}`);
    }
    for (const el of Array.from(document.querySelectorAll("button, a[href]"))) {
      const name = (el.getAttribute("aria-label") ?? el.textContent ?? "").trim();
      if (name === "") found.push(el.outerHTML.slice(0, 80));
    }
    return found;
  });
}

/**
 * Controls smaller than 24×24 CSS pixels (WCAG 2.2 target size), leaving out links inside
 * running text and checkboxes or radios whose label is part of the target.
 */
export function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll("a[href], button, input, select, textarea"))
      .filter((el) => {
        if (el.type === "hidden" || el.closest(".skip") !== null) return false;
        if (el.tagName === "A" && el.closest("p, li, td") !== null && el.closest("nav") === null) {
          return false;
        }
        if ((el.type === "checkbox" || el.type === "radio") && (el.labels?.length ?? 0) > 0) {
          return false;
        }
        const box = el.getBoundingClientRect();
        return box.width > 0 && (box.width < 24 || box.height < 24);
      })
      .map((el) => {
        const box = el.getBoundingClientRect();
        const name = (el.getAttribute("aria-label") ?? el.textContent ?? el.name ?? "").trim();
        return `${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`;
      }),
  );
}

/** Links in an error summary whose target is missing, or is not a form control. */
export function brokenErrorLinks(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll(".error-summary a[href]"))
      .map((a) => a.getAttribute("href") ?? "")
      .filter((href) => {
        const target = href.startsWith("#")
          ? document.getElementById(decodeURIComponent(href.slice(1)))
          : null;
        return target === null || !["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName);
      }),
  );
}

/**
 * How wide the page's content is against the viewport. On a phone, content that is too wide
 * makes the browser zoom out and widen innerWidth to match, so the width compared against is
 * the smaller of innerWidth and the layout viewport (documentElement.clientWidth).
 */
export function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; width: number }> {
  return page.evaluate(() => ({
    scrollWidth: (document.scrollingElement ?? document.documentElement).scrollWidth,
    width: Math.min(window.innerWidth, document.documentElement.clientWidth),
  }));
}

/** Tables that scroll sideways inside their wrapper (usable, but worth a look at phone width). */
export function scrollingTables(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Array.from(document.querySelectorAll(".table-wrap"))
      .filter((wrap) => wrap.scrollWidth > wrap.clientWidth + 1)
      .map(
        (wrap) =>
          `${wrap.querySelector("caption, th")?.textContent ?? "table"}: ${wrap.scrollWidth}px in ${wrap.clientWidth}px`,
      ),
  );
}

/** Cumulative layout shift recorded since the page started loading. */
export function layoutShift(page: Page): Promise<number> {
  return page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        let total = 0;
        const observer = new PerformanceObserver((list) => {
          for (const entry of list.getEntries()) {
            if (!entry.hadRecentInput) total += entry.value;
          }
        });
        observer.observe({ type: "layout-shift", buffered: true });
        setTimeout(() => {
          observer.disconnect();
          resolve(total);
        }, 100);
      }),
  );
}

/** A loopback port nobody listens on now, for a server the test starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** Presses a key that submits a form or follows a link, and waits for the next page. */
export async function pressAndWait(page: Page, key: string): Promise<void> {
  await Promise.all([
    page.waitForEvent("framenavigated", (frame) => frame === page.mainFrame()),
    page.keyboard.press(key),
  ]);
  await page.waitForLoadState("load");
}

/**
 * Why the suite cannot run here (no Chromium, or another tool it needs), or undefined. With
 * CI=true a missing tool is a failing test, not a skip; a developer's run skips with one line.
 */
export function missingTools(suite: string, also?: string): string | undefined {
  const unavailable = browserUnavailable() ?? also;
  if (unavailable !== undefined && process.env.CI === "true") {
    describe(suite, () => {
      it("needs its tools on CI", () => {
        throw new Error(`CI=true but ${unavailable}; .ci/run installs them`);
      });
    });
  } else if (unavailable !== undefined) {
    console.warn(`browser tests skipped: ${unavailable}`);
  }
  return unavailable;
}

/**
 * Steps of one story that build on each other: after one fails, the rest skip instead of piling
 * up failures. A `leaf` step's failure leaves what later steps need intact, so they still run.
 */
export function storySteps(timeoutMs: number) {
  let failedStep: string | undefined;
  return (name: string, body: () => Promise<void>, options: { leaf?: boolean } = {}) =>
    it(
      name,
      async (ctx: TestContext) => {
        if (failedStep !== undefined) ctx.skip(`an earlier step failed: ${failedStep}`);
        try {
          await body();
        } catch (error) {
          if (!options.leaf) failedStep = name;
          throw error;
        }
      },
      timeoutMs,
    );
}

/**
 * What a page gets wrong that every page must get right: controls without a name, error links
 * to nothing, not exactly one level-one heading, sideways scrolling. Empty when all is well.
 */
export async function pageFindings(page: Page, name: string): Promise<string[]> {
  const findings: string[] = [];
  for (const control of await unlabelledControls(page)) {
    findings.push(`${name}: control without an accessible name: ${control}`);
  }
  for (const href of await brokenErrorLinks(page)) {
    findings.push(`${name}: error summary link ${href} leads to no form control`);
  }
  const headings = await page.getByRole("heading", { level: 1 }).count();
  if (headings !== 1) findings.push(`${name}: ${headings} level-one headings, not one`);
  const overflow = await horizontalOverflow(page);
  if (overflow.scrollWidth > overflow.width + 1) {
    findings.push(`${name}: scrolls sideways (${overflow.scrollWidth}px in ${overflow.width}px)`);
  }
  return findings;
}
