/**
 * The cookie notice and a person's choices under it, as plain data. Pure: no clock, no request.
 *
 * Categories: `necessary` (always on: the sign-in session, the form token, and the consent cookie
 * itself, which remembers the choice), `analytics` (Ally's own first-party usage counts) and
 * `marketing` (promotional email opens and links). Only the last two are choices, and both are
 * off until the person says yes.
 *
 * The choice lives in one first-party cookie, `ally_consent`, as `<notice version>.<a><m>.<visitor>`
 * (e.g. `1.10.v_3kq…`: version 1, analytics yes, marketing no). A choice made under an older
 * notice version, or a cookie that does not parse, counts as no choice: the banner asks again.
 * `Sec-GPC: 1` (Global Privacy Control) is an opt-out of analytics and marketing whatever the
 * cookie says.
 */

/** Bump when the notice's text or categories change in a way that needs asking again. */
export const CONSENT_NOTICE_VERSION = 1;

/** The day Ally's Global Privacy Control support last changed, for `/.well-known/gpc.json`. */
export const GPC_LAST_UPDATE = "2026-12-03";

/** How long a choice stands before the banner asks again (the cookie's lifetime). */
export const CONSENT_LIFETIME_DAYS = 180;
export const CONSENT_LIFETIME_MS = CONSENT_LIFETIME_DAYS * 86_400_000;

export const CONSENT_COOKIE = "ally_consent";

export type ConsentMethod = "banner" | "settings" | "gpc";
export const CONSENT_METHODS: readonly ConsentMethod[] = ["banner", "settings", "gpc"];

export interface Choices {
  analytics: boolean;
  marketing: boolean;
}

export const NOTHING_CHOSEN: Choices = { analytics: false, marketing: false };

/** What the consent cookie says. */
export interface StoredChoice extends Choices {
  noticeVersion: number;
  visitorId: string;
}

const VISITOR_ID = /^v_[A-Za-z0-9_-]{16,40}$/;

/** The cookie's value for a choice. */
export function consentCookieValue(choice: StoredChoice): string {
  return `${choice.noticeVersion}.${choice.analytics ? 1 : 0}${choice.marketing ? 1 : 0}.${choice.visitorId}`;
}

/**
 * The choice a cookie value holds, or undefined when it holds none that can be read.
 * @example parseConsentCookie("1.10.v_AAAAAAAAAAAAAAAA") // { noticeVersion: 1, analytics: true, marketing: false, visitorId: "v_AAAAAAAAAAAAAAAA" }
 */
export function parseConsentCookie(value: string | undefined): StoredChoice | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d{1,6})\.([01])([01])\.(.+)$/.exec(value);
  if (match === null) return undefined;
  const [, version, analytics, marketing, visitorId] = match as unknown as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!VISITOR_ID.test(visitorId)) return undefined;
  return {
    noticeVersion: Number(version),
    analytics: analytics === "1",
    marketing: marketing === "1",
    visitorId,
  };
}

/** Where a visitor stands on this request: what they chose, and what is in effect. */
export interface ConsentState {
  /** The choice in the cookie, when it was made under the notice in force. */
  stored: StoredChoice | undefined;
  /** The visitor's id: the cookie's, even when its choice is out of date. */
  visitorId: string | undefined;
  /** The request carried `Sec-GPC: 1`. */
  gpc: boolean;
  /** What applies now: the stored choice, with GPC turning analytics and marketing off. */
  effective: Choices;
  /** Ask: no choice under the notice in force. */
  askNeeded: boolean;
}

/**
 * The visitor's consent on a request, from the cookie and the GPC header.
 * @example consentState("1.11.v_AAAAAAAAAAAAAAAA", true).effective // { analytics: false, marketing: false }
 */
export function consentState(
  cookie: string | undefined,
  gpc: boolean,
  noticeVersion = CONSENT_NOTICE_VERSION,
): ConsentState {
  const parsed = parseConsentCookie(cookie);
  const stored = parsed?.noticeVersion === noticeVersion ? parsed : undefined;
  const chosen = stored ?? NOTHING_CHOSEN;
  return {
    stored,
    visitorId: parsed?.visitorId,
    gpc,
    effective: gpc ? NOTHING_CHOSEN : { analytics: chosen.analytics, marketing: chosen.marketing },
    askNeeded: stored === undefined,
  };
}

/** Whether `Sec-GPC` says "do not sell or share" (the specification's only value is "1"). */
export function gpcRequested(header: string | undefined): boolean {
  return header?.trim() === "1";
}

/**
 * What a choice form asks for: accept all, reject all, or the ticked boxes. A GPC signal on the
 * same request wins over a yes (the person's browser says no on every site).
 */
export function choicesFromForm(
  form: { choice: "accept-all" | "reject-all" | "save"; analytics?: boolean; marketing?: boolean },
  gpc: boolean,
): Choices {
  if (gpc || form.choice === "reject-all") return NOTHING_CHOSEN;
  if (form.choice === "accept-all") return { analytics: true, marketing: true };
  return { analytics: form.analytics === true, marketing: form.marketing === true };
}
