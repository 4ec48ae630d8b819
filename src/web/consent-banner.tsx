/**
 * The cookie banner, shown on every page until the visitor chooses under the notice in force.
 * A plain form (it works without scripts): Reject all and Accept all side by side, alike in
 * size and colour, Reject first; analytics and marketing as boxes nobody has ticked; "Save
 * choices" for the boxes. It posts to `/consent` with the page's CSRF token and comes back to
 * the page (the browser's same-origin Referer says which: the page's address, which may hold
 * an id or a link's token, is never written into the form). With a Global Privacy Control signal it says so, and asks nothing more than a
 * dismissal: analytics and marketing stay off while the browser sends it.
 */

import { tryGetContext } from "hono/context-storage";
import type { FC } from "hono/jsx";
import type { AppEnv } from "./env.js";

export const COOKIE_SETTINGS_PATH = "/cookies";
export const CONSENT_FORM_PATH = "/consent";

/** What each category means, said once for the banner and the settings page. */
export const CATEGORY_TEXT = {
  necessary:
    "Necessary (always on): the cookies that keep you signed in, protect forms from forgery and remember this choice.",
  analytics:
    "Analytics: count the pages you visit, when, and your browser and device type, on Ally's own servers. No third party sees it.",
  marketing:
    "Marketing: let Ally's promotional email note when it is opened or its links followed.",
} as const;

export const GPC_TEXT =
  "Your browser sends a Global Privacy Control signal, so analytics and marketing stay off while it does.";

/** The banner for this request, or nothing when the visitor has chosen (or on the settings page). */
export const ConsentBanner: FC = () => {
  const c = tryGetContext<AppEnv>();
  if (c === undefined) return null;
  const consent = c.var.consent;
  if (consent === undefined || !consent.askNeeded) return null;
  if (c.req.path === COOKIE_SETTINGS_PATH) return null;
  return (
    <section class="consent-banner" aria-labelledby="consent-banner-title">
      <h2 id="consent-banner-title">Cookies and usage data</h2>
      <form method="post" action={CONSENT_FORM_PATH} class="consent-form">
        <input type="hidden" name="_csrf" value={c.var.csrfToken} />
        <input type="hidden" name="from" value="banner" />
        <p>{CATEGORY_TEXT.necessary}</p>
        {consent.gpc ? (
          <>
            <p>
              <strong>{GPC_TEXT}</strong>
            </p>
            <div class="actions">
              <button type="submit" name="choice" value="reject-all">
                Understood
              </button>
              <a href={COOKIE_SETTINGS_PATH}>Cookie settings</a>
            </div>
          </>
        ) : (
          <>
            <fieldset>
              <legend>Optional, off unless you say yes</legend>
              <div class="check">
                <input type="checkbox" id="consent-analytics" name="analytics" value="yes" />
                <label for="consent-analytics">{CATEGORY_TEXT.analytics}</label>
              </div>
              <div class="check">
                <input type="checkbox" id="consent-marketing" name="marketing" value="yes" />
                <label for="consent-marketing">{CATEGORY_TEXT.marketing}</label>
              </div>
            </fieldset>
            <div class="actions consent-actions">
              <button type="submit" name="choice" value="reject-all">
                Reject all
              </button>
              <button type="submit" name="choice" value="accept-all">
                Accept all
              </button>
              <button type="submit" name="choice" value="save" class="secondary">
                Save choices
              </button>
              <a href={COOKIE_SETTINGS_PATH}>Cookie settings</a>
            </div>
          </>
        )}
      </form>
    </section>
  );
};
