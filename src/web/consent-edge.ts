/**
 * The consent edge: on every request, where the visitor stands on cookies (the `ally_consent`
 * cookie and the `Sec-GPC` header, consent/notice.ts), for the banner and the pages; and, once
 * a page has been answered, one usage-analytics row when and only when the visitor said yes to
 * analytics and sent no GPC signal. Pages do nothing for analytics: it is counted here.
 *
 * A GPC signal is an opt-out: when it arrives from a visitor whose recorded choice said yes to
 * analytics or marketing, the choice is recorded again as no (method `gpc`) and the cookie
 * follows, so the opt-out holds on requests without the signal too.
 */
import type { Context, MiddlewareHandler } from "hono";
import { getCookie, setCookie } from "hono/cookie";
import { recordPageView } from "../consent/analytics.js";
import {
  type Choices,
  CONSENT_COOKIE,
  CONSENT_LIFETIME_DAYS,
  CONSENT_NOTICE_VERSION,
  type ConsentMethod,
  consentCookieValue,
  consentState,
  gpcRequested,
} from "../consent/notice.js";
import { recordConsent } from "../consent/records.js";
import { newId } from "../ids.js";
import type { AppEnv } from "./env.js";
import { routePatternOf } from "./operations.js";

/** Paths never counted: the machinery, not pages people read. */
function countable(c: Context<AppEnv>): boolean {
  if (c.req.method !== "GET") return false;
  const path = c.req.path;
  if (path.startsWith("/api/") || path.startsWith("/assets/") || path.startsWith("/.well-known/"))
    return false;
  if (c.res.status !== 200) return false;
  return (c.res.headers.get("content-type") ?? "").startsWith("text/html");
}

/** A new visitor id for the consent cookie. */
export function newVisitorId(): string {
  return newId("v");
}

/**
 * Records a choice and sets the cookie that carries it for the notice's lifetime; returns the
 * visitor id used.
 */
export async function saveChoice(
  c: Context<AppEnv>,
  choices: Choices,
  method: ConsentMethod,
): Promise<string> {
  const deps = c.get("deps");
  const visitorId = c.get("consent").visitorId ?? newVisitorId();
  await recordConsent(
    deps.store.db,
    {
      ...choices,
      visitorId,
      userId: c.get("session")?.actor.userId ?? null,
      method,
      ip: c.get("meta").ip,
    },
    deps.clock.now(),
  );
  const value = consentCookieValue({
    ...choices,
    visitorId,
    noticeVersion: CONSENT_NOTICE_VERSION,
  });
  setCookie(c, CONSENT_COOKIE, value, {
    httpOnly: true,
    secure: deps.config.http.secureCookies,
    sameSite: "Lax",
    path: "/",
    maxAge: CONSENT_LIFETIME_DAYS * 86_400,
  });
  c.set("consent", consentState(value, c.get("consent").gpc));
  return visitorId;
}

/** The middleware: after the session is known (it names the member), before the pages. */
export const consentEdge: MiddlewareHandler<AppEnv> = async (c, next) => {
  const gpc = gpcRequested(c.req.header("sec-gpc"));
  const state = consentState(getCookie(c, CONSENT_COOKIE), gpc);
  c.set("consent", state);
  if (gpc && state.stored !== undefined && (state.stored.analytics || state.stored.marketing)) {
    await saveChoice(c, { analytics: false, marketing: false }, "gpc");
  }
  await next();
  const consent = c.get("consent");
  if (!consent.effective.analytics || consent.visitorId === undefined || !countable(c)) return;
  const deps = c.get("deps");
  const actor = c.get("session")?.actor;
  try {
    await recordPageView(deps.store.db, {
      path: routePatternOf(c),
      visitedAtMs: deps.clock.now(),
      userAgent: c.req.header("user-agent") ?? "",
      referrer: c.req.header("referer"),
      ownHost: new URL(c.req.url).hostname,
      ip: c.get("meta").ip,
      visitorId: consent.visitorId,
      userId: actor?.userId ?? null,
      organisationId: actor?.orgId ?? null,
    });
  } catch (error) {
    // Counting is never worth a failed page.
    deps.log.warn({ requestId: c.get("requestId"), err: error }, "page view not counted");
  }
};
