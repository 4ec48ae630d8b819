/**
 * How long the organisation's data is kept (an admin's page): each retention category's rule,
 * its limit, when the daily purge last ran and what it removed, and the form for the limits the
 * organisation decides as controller (closed requests' candidates, in months).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { can } from "../../accounts/permissions.js";
import { forbidden } from "../../errors.js";
import { DEFAULT_CLOSED_REQUESTS_MONTHS } from "../../privacy/retention-limits.js";
import { retentionOverview } from "../../retention/overview.js";
import {
  CLOSED_REQUESTS_MONTHS_MAX,
  CLOSED_REQUESTS_MONTHS_MIN,
  limitsInput,
  organisationLimits,
  saveOrganisationLimits,
} from "../../retention/settings.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formFailure, formValues, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import { Csrf, ErrorSummary, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

type C = Context<AppEnv>;
const PATH = "/app/retention";

const when = (epochMs: number) =>
  `${new Date(epochMs).toISOString().slice(0, 16).replace("T", " ")} UTC`;

function removedWords(removed: number | null, tables: Record<string, number>, own: boolean) {
  if (removed === null) return "Counted by Ally's operator";
  const unit = own ? (removed === 1 ? "person" : "people") : removed === 1 ? "row" : "rows";
  const parts = Object.entries(tables).filter(([, n]) => n > 0);
  return parts.length === 0
    ? `${removed} ${unit}`
    : `${removed} ${unit} (${parts.map(([t, n]) => `${t.replaceAll("_", " ")}: ${n}`).join(", ")})`;
}

async function RetentionPage(props: {
  c: C;
  errors?: FieldErrors;
  saved?: boolean;
  typed?: string;
}) {
  const { c } = props;
  const actor = requireActor(c);
  if (!can(actor.role, "members:manage")) throw forbidden();
  const db = c.get("deps").store.db;
  const overview = await retentionOverview(db, { organisationId: actor.orgId });
  const limits = await organisationLimits(db, actor.orgId);
  const csrf = c.get("csrfToken");
  const invalid = props.errors?.closedRequestsMonths !== undefined;
  return (
    <Page
      title="How long data is kept"
      session={c.get("session")}
      csrfToken={csrf}
      current="/app/members"
    >
      <h1>How long data is kept</h1>
      <ErrorSummary errors={props.errors} />
      {props.saved ? <Notice tone="good">Saved.</Notice> : null}
      <p>
        Ally removes each kind of data when its limit is reached, in one purge a day.{" "}
        {overview.lastRunAt === null
          ? "The purge has not run yet."
          : `The purge last ran ${when(overview.lastRunAt)}.`}
      </p>
      <div class="table-wrap">
        <table class="stacked">
          <caption>Each kind of data, its rule and the last purge</caption>
          <thead>
            <tr>
              <th scope="col">Data</th>
              <th scope="col">Rule</th>
              <th scope="col">Limit</th>
              <th scope="col">Last run</th>
              <th scope="col">Removed</th>
            </tr>
          </thead>
          <tbody>
            {overview.categories.map((s) => (
              <tr>
                <th scope="row" data-label="Data">
                  {s.rule.name}
                </th>
                <td data-label="Rule">{s.rule.rule}</td>
                <td data-label="Limit">{s.limit}</td>
                <td data-label="Last run">
                  {s.rule.enforcedBy === "event"
                    ? "When it happens"
                    : s.lastRanAt === null
                      ? "Not yet"
                      : when(s.lastRanAt)}
                  {s.error === null ? null : <strong> — failed: {s.error}</strong>}
                </td>
                <td data-label="Removed">
                  {s.rule.enforcedBy === "event"
                    ? "—"
                    : removedWords(s.removed, s.tables, s.rule.controller === "organisation")}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <h2>Your organisation's limits</h2>
      <p>
        Your organisation decides how long it keeps its candidates. Once every interview request of
        a candidate has been closed (cancelled or completed) for this many months, Ally erases the
        candidate from your organisation as if they had asked: their name, address and notes, and
        what the requests say about them. The interviews are kept as counts.
      </p>
      <form method="post" action={PATH} novalidate>
        <Csrf token={csrf} />
        <label for="field-closedRequestsMonths">
          {`Months after closing (${CLOSED_REQUESTS_MONTHS_MIN} to ${CLOSED_REQUESTS_MONTHS_MAX}; default ${DEFAULT_CLOSED_REQUESTS_MONTHS})`}
        </label>
        <input
          id="field-closedRequestsMonths"
          name="closedRequestsMonths"
          type="number"
          inputmode="numeric"
          min={String(CLOSED_REQUESTS_MONTHS_MIN)}
          max={String(CLOSED_REQUESTS_MONTHS_MAX)}
          required
          value={props.typed ?? String(limits.closedRequestsMonths)}
          aria-invalid={invalid ? "true" : undefined}
          aria-describedby={invalid ? "error-closedRequestsMonths" : undefined}
        />
        {invalid ? (
          <p id="error-closedRequestsMonths" class="field-error">
            {props.errors?.closedRequestsMonths}
          </p>
        ) : null}
        <button type="submit">Save</button>
      </form>
    </Page>
  );
}

export function registerRetentionPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: PATH,
    kind: "page",
    access: { permission: "members:manage" },
    summary: "How long the organisation's data is kept, and the last purge",
    handler: async (c) => c.html(await RetentionPage({ c, saved: c.req.query("saved") === "1" })),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: PATH,
    kind: "page",
    access: { permission: "members:manage" },
    summary: "Changes how long the organisation keeps closed requests' candidates",
    handler: async (c) => {
      const actor = requireActor(c);
      const values = await formValues(c);
      const typed =
        typeof values.closedRequestsMonths === "string" ? values.closedRequestsMonths : "";
      const parsed = parseForm(limitsInput, values);
      if (!parsed.ok) {
        return c.html(await RetentionPage({ c, errors: parsed.errors, typed }), INVALID_FORM);
      }
      const { store, clock } = c.get("deps");
      try {
        await saveOrganisationLimits(store.db, actor, parsed.value, clock.now());
      } catch (error) {
        const failed = formFailure(c, error, "closedRequestsMonths");
        return c.html(await RetentionPage({ c, errors: failed.errors, typed }), failed.status);
      }
      return c.redirect(`${PATH}?saved=1`, 303);
    },
  });
}
