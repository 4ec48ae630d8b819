/**
 * The privacy policy as a reader sees it: a version's Markdown with the operator's values
 * (config) and the sections generated from the data map (what is collected, legal bases,
 * retention) filled in, parsed into blocks. Pure: the data map and settings are passed in.
 */
import type { PrivacySettings } from "../../config.js";
import type { ColumnNote, DataCategory, PersonalColumn, Retention } from "../data-map.js";
import { type Block, parseMarkdown } from "./markdown.js";
import { policySource, policyVersion } from "./versions.js";

/** Days within which a complaint or privacy question is answered. */
export const ANSWER_DAYS = 45;

export type DataMapView = Record<string, Record<string, ColumnNote>>;

const CATEGORY_NAMES: Record<DataCategory, string> = {
  identity: "Names",
  contact: "Email addresses and telephone numbers",
  address: "Postal addresses",
  credential: "Password hashes, token hashes and second-factor secrets",
  usage: "Network addresses, browsers and access times",
  recruiting: "What a company records about its candidates and interviewers",
  employment: "Job titles, roles and working hours",
  published: "Testimonials you agreed to have published under your name",
};

/** How long each retention keeps data, in words. */
export const RETENTION_WORDS: Record<Retention, string> = {
  account: "until you close your account",
  membership: "until you leave the organisation",
  session: "until you sign out or the sign-in expires",
  token: "until the link or token is used or expires",
  customer:
    "as long as the company that holds it decides, and never past the closing of its organisation",
  "audit-2y": "two years",
  "rate-limit-1d": "one day",
  "mail-90d": "ninety days after sending",
  "request-3y": "three years after the request was answered",
  "usage-13m": "thirteen months after the visit",
  "consent-proof":
    "while it is your choice, and three years after you change or withdraw it or it lapses",
  testimonial:
    "until you remove your testimonial (one click) or it is declined; the record of your consent three years after",
  "survey-2y": "two years after the interview it asks about",
  marketing: "until you unsubscribe",
  suppression: "as long as your opt-out must be honoured (a keyed hash of your address only)",
};

/** The legal basis (GDPR art. 6) a purpose rests on, from how long its data is kept. */
export function legalBasisOf(retention: Retention): string {
  switch (retention) {
    case "customer":
    case "survey-2y":
      return "the company's own basis as controller; we process on its instructions (art. 28)";
    case "request-3y":
      return "legal obligation: showing how each request about your data was answered (art. 6(1)(c))";
    case "testimonial":
      return "your consent, which you withdraw at any time by removing the testimonial (art. 6(1)(a))";
    case "audit-2y":
    case "rate-limit-1d":
      return "legitimate interests: keeping the service and your account secure (art. 6(1)(f))";
    case "usage-13m":
      return "your consent, given and withdrawn in the cookie settings (art. 6(1)(a))";
    case "marketing":
      return "your consent, which you can withdraw at any time (art. 6(1)(a))";
    case "suppression":
      return "legal obligation: honouring your objection to direct marketing (art. 21(3), art. 6(1)(c))";
    case "consent-proof":
      return "legal obligation: showing the consent we rely on (art. 6(1)(c) with art. 7(1))";
    default:
      return "performance of the contract with you: running your account (art. 6(1)(b))";
  }
}

function personalColumns(map: DataMapView): PersonalColumn[] {
  return Object.values(map)
    .flatMap((columns) => Object.values(columns))
    .filter((note): note is PersonalColumn => note.personal);
}

const unique = (lines: string[]) => [...new Set(lines)].sort();

/** One list item per kind of data, with the purposes it serves. */
export function collectedSection(map: DataMapView): string {
  const purposes = new Map<DataCategory, Set<string>>();
  for (const note of personalColumns(map)) {
    const set = purposes.get(note.category) ?? new Set<string>();
    set.add(note.purpose);
    purposes.set(note.category, set);
  }
  return [...purposes.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([category, set]) => `- **${CATEGORY_NAMES[category]}**: ${[...set].sort().join("; ")}.`)
    .join("\n");
}

/** One list item per purpose, with its legal basis. */
export function legalBasesSection(map: DataMapView): string {
  return unique(
    personalColumns(map).map(
      (note) => `- **${capitalise(note.purpose)}**: ${legalBasisOf(note.retention)}.`,
    ),
  ).join("\n");
}

/** One list item per kind of data and how long it is kept. */
export function retentionSection(map: DataMapView): string {
  return unique(
    personalColumns(map).map(
      (note) =>
        `- **${CATEGORY_NAMES[note.category]}**, for ${note.purpose}: ${RETENTION_WORDS[note.retention]}.`,
    ),
  ).join("\n");
}

const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** A version's text with every `{{name}}` filled in; an unknown name is an error. */
export function policyMarkdown(
  version: number,
  settings: PrivacySettings,
  map: DataMapView,
): string {
  const meta = policyVersion(version);
  if (meta === undefined) throw new Error(`no privacy policy version ${version}`);
  const values: Record<string, string> = {
    version: String(version),
    effectiveOn: meta.effectiveOn,
    operator: settings.operatorName,
    privacyContact: settings.privacyContact,
    supportContact: settings.supportContact,
    disputeBody: settings.disputeBody,
    authority: settings.authority,
    answerDays: String(ANSWER_DAYS),
    collected: collectedSection(map),
    legalBases: legalBasesSection(map),
    retention: retentionSection(map),
  };
  return policySource(version).replace(/\{\{(\w+)\}\}/g, (_all, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`privacy policy v${version}: unknown {{${name}}}`);
    return value;
  });
}

export function policyDocument(
  version: number,
  settings: PrivacySettings,
  map: DataMapView,
): Block[] {
  return parseMarkdown(policyMarkdown(version, settings, map));
}
