/**
 * Cookie choices and usage analytics: the cookie settings page (reachable from every page's
 * footer), the choice form both it and the banner post to, `/.well-known/gpc.json`, and the
 * usage page where an organisation's owners and admins see their own members' usage.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { z } from "zod";
import { usageReport } from "../../consent/analytics.js";
import {
  CONSENT_LIFETIME_DAYS,
  CONSENT_NOTICE_VERSION,
  choicesFromForm,
  GPC_LAST_UPDATE,
} from "../../consent/notice.js";
import { currentConsent } from "../../consent/records.js";
import {
  CATEGORY_TEXT,
  CONSENT_FORM_PATH,
  COOKIE_SETTINGS_PATH,
  GPC_TEXT,
} from "../consent-banner.js";
import { saveChoice } from "../consent-edge.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formValues, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import { Csrf, ErrorSummary, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { RankedBars, VisitsChart } from "../usage-charts.js";

type C = Context<AppEnv>;

const choiceForm = z.object({
  choice: z.enum(["accept-all", "reject-all", "save"], {
    message: "Choose Accept all, Reject all or Save choices.",
  }),
  analytics: z.literal("yes").optional(),
  marketing: z.literal("yes").optional(),
  from: z.enum(["banner", "settings"]).default("banner"),
});

/**
 * The page the banner was on: the path of a same-origin Referer (Ally's pages send it, by
 * their Referrer-Policy), else the start page.
 */
export function pageToReturnTo(c: C): string {
  const referer = c.req.header("referer");
  if (referer === undefined) return "/";
  try {
    const from = new URL(referer);
    const here = new URL(c.req.url);
    if (
      from.origin !== here.origin &&
      from.origin !== new URL(c.var.deps.config.http.publicUrl).origin
    )
      return "/";
    const path = `${from.pathname}${from.search}`;
    return path.startsWith("/") && !path.startsWith("//") ? path : "/";
  } catch {
    return "/";
  }
}

const COOKIES: Array<[string, string, string]> = [
  ["ally_session", "Keeps you signed in", "Until you sign out or the session expires"],
  ["ally_csrf", "Protects forms from being sent by another site", "Until the browser closes"],
  ["ally_consent", "Remembers the choice on this page", `${CONSENT_LIFETIME_DAYS} days`],
];

async function settingsPage(
  c: C,
  options: { saved?: boolean; errors?: FieldErrors; status?: ContentfulStatusCode } = {},
) {
  const { consent } = c.var;
  const deps = c.var.deps;
  const current =
    consent.visitorId === undefined
      ? undefined
      : await currentConsent(deps.store.db, { visitorId: consent.visitorId }, deps.clock.now());
  const stored = consent.stored;
  const yesNo = (on: boolean) => (on ? "yes" : "no");
  const body: Child = (
    <>
      <h1>Cookie settings</h1>
      <ErrorSummary errors={options.errors} />
      {options.saved ? <Notice tone="good">Your choices are saved.</Notice> : null}
      <p>
        Ally sets its own cookies only, and loads nothing from other sites. You can change your mind
        here at any time; the link is at the foot of every page.
      </p>
      {consent.gpc ? (
        <Notice>
          <strong>{GPC_TEXT}</strong> No analytics are recorded.
        </Notice>
      ) : null}
      <h2>Your choice now</h2>
      {stored === undefined || current === undefined ? (
        <p>You have not chosen yet: analytics and marketing are off.</p>
      ) : (
        <p>
          Chosen on {new Date(current.recordedAtMs).toISOString().slice(0, 10)} (notice version{" "}
          {current.noticeVersion}): analytics {yesNo(stored.analytics)}, marketing{" "}
          {yesNo(stored.marketing)}.
        </p>
      )}
      <form method="post" action={CONSENT_FORM_PATH} class="stack card">
        <Csrf token={c.var.csrfToken} />
        <input type="hidden" name="from" value="settings" />
        <fieldset>
          <legend>Cookie categories</legend>
          <p>{CATEGORY_TEXT.necessary}</p>
          <div class="check">
            <input
              type="checkbox"
              id="settings-analytics"
              name="analytics"
              value="yes"
              checked={stored?.analytics === true}
              disabled={consent.gpc}
            />
            <label for="settings-analytics">{CATEGORY_TEXT.analytics}</label>
          </div>
          <div class="check">
            <input
              type="checkbox"
              id="settings-marketing"
              name="marketing"
              value="yes"
              checked={stored?.marketing === true}
              disabled={consent.gpc}
            />
            <label for="settings-marketing">{CATEGORY_TEXT.marketing}</label>
          </div>
        </fieldset>
        <div class="actions consent-actions">
          <button type="submit" name="choice" value="save">
            Save choices
          </button>
          <button type="submit" name="choice" value="reject-all" class="secondary">
            Reject all
          </button>
          <button type="submit" name="choice" value="accept-all" class="secondary">
            Accept all
          </button>
        </div>
      </form>
      <h2>The cookies</h2>
      <div class="table-wrap">
        <table class="stacked">
          <thead>
            <tr>
              <th scope="col">Cookie</th>
              <th scope="col">Why</th>
              <th scope="col">Kept</th>
            </tr>
          </thead>
          <tbody>
            {COOKIES.map(([name, why, kept]) => (
              <tr>
                <td data-label="Cookie">
                  <code>{name}</code>
                </td>
                <td data-label="Why">{why}</td>
                <td data-label="Kept">{kept}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p>
        Analytics and marketing set no cookie of their own: your choice in <code>ally_consent</code>{" "}
        decides whether Ally counts your visits. Each choice is kept as a record (the notice
        version, your choices, how and when you made them, your network with its last part removed)
        to show what you agreed to. See the <a href="/privacy">privacy policy</a>. This is notice
        version {CONSENT_NOTICE_VERSION}.
      </p>
    </>
  );
  return c.html(
    <Page title="Cookie settings" session={c.var.session} csrfToken={c.var.csrfToken} narrow>
      {body}
    </Page>,
    options.status ?? 200,
  );
}

const usageQuery = z.object({ days: z.enum(["7", "30", "90"]).default("30") });

async function usagePage(c: C) {
  const actor = requireActor(c);
  const deps = c.var.deps;
  const parsed = usageQuery.safeParse({ days: c.req.query("days") ?? undefined });
  const days = Number(parsed.success ? parsed.data.days : "30");
  const report = await usageReport(
    deps.store.db,
    { kind: "organisation", orgId: actor.orgId },
    deps.clock.now(),
    days,
  );
  return c.html(
    <Page title="Usage" session={c.var.session} csrfToken={c.var.csrfToken} current="/app/usage">
      <h1>Usage</h1>
      <p>
        How your organisation's members use Ally, counted only for members who said yes to analytics
        in their cookie settings. Addresses are kept to their network; nothing leaves Ally. Views
        are kept 13 months.
      </p>
      <form method="get" action="/app/usage" class="inline">
        <div class="field">
          <label for="field-days">Period</label>
          <select id="field-days" name="days">
            {["7", "30", "90"].map((d) => (
              <option value={d} selected={Number(d) === days}>
                Last {d} days
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Show</button>
      </form>
      <h2>Page views per day</h2>
      <VisitsChart
        id="visits"
        title={`Page views per day, last ${days} days`}
        days={report.perDay}
      />
      <div class="grid usage-grid">
        <RankedBars id="top-pages" title="Top pages" what="Page" counts={report.topPages} />
        <RankedBars id="referrers" title="Referring sites" what="Site" counts={report.referrers} />
        <RankedBars id="browsers" title="Browsers" what="Browser" counts={report.browsers} />
        <RankedBars id="systems" title="Operating systems" what="System" counts={report.systems} />
        <RankedBars id="devices" title="Devices" what="Device" counts={report.devices} />
      </div>
    </Page>,
  );
}

export function registerConsentPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  // Global Privacy Control (https://privacycg.github.io/gpc-spec/): the site says it honours it.
  defineRoute(app, routes, {
    method: "GET",
    path: "/.well-known/gpc.json",
    kind: "page",
    access: "public",
    summary: "Global Privacy Control support resource: Ally honours Sec-GPC",
    handler: (c) => {
      c.header("Cache-Control", "public, max-age=86400");
      return c.json({ gpc: true, lastUpdate: GPC_LAST_UPDATE });
    },
  });

  defineRoute(app, routes, {
    method: "GET",
    path: COOKIE_SETTINGS_PATH,
    kind: "page",
    access: "public",
    summary: "Cookie settings: the categories, the choice in force, and a form to change it",
    handler: (c) => settingsPage(c, { saved: c.req.query("saved") === "1" }),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: CONSENT_FORM_PATH,
    kind: "page",
    access: "public",
    summary: "Record a cookie choice (the banner's and the settings page's form)",
    handler: async (c) => {
      const parsed = parseForm(choiceForm, await formValues(c));
      if (!parsed.ok) return settingsPage(c, { errors: parsed.errors, status: INVALID_FORM });
      const form = parsed.value;
      const choices = choicesFromForm(
        {
          choice: form.choice,
          analytics: form.analytics === "yes",
          marketing: form.marketing === "yes",
        },
        c.var.consent.gpc,
      );
      await saveChoice(c, choices, form.from);
      const back = form.from === "settings" ? `${COOKIE_SETTINGS_PATH}?saved=1` : pageToReturnTo(c);
      return c.redirect(back, 303);
    },
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/app/usage",
    kind: "page",
    access: { permission: "audit:read" },
    summary: "Usage analytics of the organisation's members (charts and tables)",
    handler: usagePage,
  });
}
