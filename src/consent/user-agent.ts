/**
 * Browser, operating system and device class from a User-Agent header: the three facts usage
 * analytics keep, never the header itself. Pure, with no table of versions to fall behind: the
 * order of the tests is what matters, because browsers name their ancestors (Edge says
 * "Chrome" and "Safari", Chrome says "Safari", every Android tablet says "Linux").
 */

export type DeviceClass = "desktop" | "mobile" | "tablet" | "bot";

export interface UserAgentFacts {
  browser: string;
  os: string;
  device: DeviceClass;
}

/** Tested in order; the first match names the browser. */
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/\b(?:bot|crawler|spider|slurp)\b|bingpreview|facebookexternalhit/i, "Bot"],
  [/\bEdg(?:e|A|iOS)?\//, "Edge"],
  [/\bOPR\/|\bOpera\b|\bOPT\//, "Opera"],
  [/\bSamsungBrowser\//, "Samsung Internet"],
  [/\bFirefox\/|\bFxiOS\//, "Firefox"],
  [/\bHeadlessChrome\//, "Chrome Headless"],
  [/\bCriOS\/|\bChrome\/|\bChromium\//, "Chrome"],
  [/\bVersion\/[\d.]+.*\bSafari\/|\bMobile\/\w+ Safari\//, "Safari"],
  [/\bMSIE \d|\bTrident\//, "Internet Explorer"],
  [/^curl\/|^Wget\/|python-requests|\bGo-http-client\b|\bnode-fetch\b|\bundici\b/i, "Program"],
];

const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/\bWindows Phone\b/, "Windows Phone"],
  [/\bWindows NT\b|\bWin(?:32|64)\b/, "Windows"],
  [/\biPad\b/, "iPadOS"],
  [/\biPhone\b|\biPod\b/, "iOS"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\bMac OS X\b|\bMacintosh\b/, "macOS"],
  [/\bLinux\b|\bX11\b/, "Linux"],
];

/**
 * What a User-Agent says about the browser, its system and the device.
 * @example parseUserAgent("Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1")
 *   // { browser: "Safari", os: "iOS", device: "mobile" }
 */
export function parseUserAgent(userAgent: string): UserAgentFacts {
  const ua = userAgent.slice(0, 512);
  const browser = BROWSERS.find(([pattern]) => pattern.test(ua))?.[1] ?? "Other";
  const os = SYSTEMS.find(([pattern]) => pattern.test(ua))?.[1] ?? "Other";
  return { browser, os, device: deviceClass(ua, browser, os) };
}

function deviceClass(ua: string, browser: string, os: string): DeviceClass {
  if (browser === "Bot" || browser === "Program") return "bot";
  if (os === "iPadOS" || /\bTablet\b|\bKindle\b|\bSilk\//.test(ua)) return "tablet";
  // Android phones say "Mobile"; Android tablets do not.
  if (os === "Android") return /\bMobile\b/.test(ua) ? "mobile" : "tablet";
  if (os === "iOS" || os === "Windows Phone" || /\bMobi/.test(ua)) return "mobile";
  return "desktop";
}
