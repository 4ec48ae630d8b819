/**
 * Calendar connections: each member connects their own calendars (Google or Microsoft 365 by
 * signing in there, when the server has their OAuth clients; CalDAV with an app-specific
 * password; or an ICS feed's secret address), chooses which of an account's calendars count as
 * busy and which receives Ally's events, sees whether each is healthy and when it last synced,
 * and disconnects. Ally reads a calendar once before saving it, so a wrong password or an
 * unreadable feed is an error on its field, not a broken connection later.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { mayActOnConnection } from "../../calendar/connection-access.js";
import type { CalendarConnection } from "../../calendar/connections.js";
import {
  type CalendarChoices,
  OAUTH_PROVIDERS,
  PROVIDER_NAMES,
} from "../../calendar/oauth-connections.js";
import { AppError } from "../../errors.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { HTTP_STATUS } from "../errors.js";
import {
  deleteConfirmed,
  formFailure,
  formValues,
  INVALID_FORM,
  requireActor,
  UNCONFIRMED_DELETE,
} from "../forms.js";
import {
  Csrf,
  DeleteForm,
  ErrorSummary,
  Field,
  type FieldErrors,
  Notice,
  SaveOrCancel,
} from "../layout.js";
import { sectionFrame } from "../page-frame.js";
import type { RouteTable } from "../route-table.js";
import { allFormValues, one } from "./hiring-form-helpers.js";

type C = Context<AppEnv>;

interface ConnectValues {
  url: string;
  username: string;
  feedUrl: string;
}

const EMPTY: ConnectValues = { url: "", username: "", feedUrl: "" };

const STATUS: Record<CalendarConnection["status"], string> = {
  pending: "Not synced yet",
  healthy: "Healthy",
  unhealthy: "Not working",
};

const when = (iso: string | null) =>
  iso === null ? "Never" : `${iso.slice(0, 16).replace("T", " ")} UTC`;

const frame = sectionFrame("/app/calendars");

const listPage = async (
  c: C,
  values: ConnectValues,
  errors?: FieldErrors,
  /** A problem that belongs to no field (a refused Google or Microsoft sign-in). */
  problem?: string,
) => {
  const actor = requireActor(c);
  const { calendars, calendarAccounts } = c.get("deps");
  const connections = await calendars.listConnections(actor);
  const providers = calendarAccounts.providers();
  const csrf = c.get("csrfToken");
  return frame(
    c,
    "Calendars",
    <>
      <h1>Your calendars</h1>
      <p>
        Ally reads busy time from the calendars you connect, in the background, so interviews are
        only offered when you are free.
      </p>
      {problem === undefined ? (
        <ErrorSummary errors={errors} />
      ) : (
        <div
          class="error-summary"
          role="alert"
          aria-labelledby="error-summary-title"
          tabindex={-1}
          autofocus
        >
          <h2 id="error-summary-title">The calendar was not connected</h2>
          <p>{problem}</p>
        </div>
      )}
      {connections.length === 0 ? (
        <p>No calendar connected yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Connected calendars</caption>
            <thead>
              <tr>
                <th scope="col">Calendar</th>
                <th scope="col">Status</th>
                <th scope="col">Last synced</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              {connections.map((connection) => (
                <tr>
                  <td>
                    <a href={`/app/calendars/${connection.id}`}>{connection.label}</a>
                    {connection.account === null ? null : (
                      <span class="hint"> ({connection.account})</span>
                    )}
                  </td>
                  <td>{STATUS[connection.status]}</td>
                  <td>{when(connection.lastSyncedAt)}</td>
                  <td>{connection.lastError ?? "None"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {providers.map((provider) => (
        <form
          method="post"
          action={`/app/calendars/connect/${provider}`}
          class="stack card"
          novalidate
        >
          <h2>Connect {PROVIDER_NAMES[provider]}</h2>
          <p class="hint">
            {provider === "google"
              ? "You sign in at Google and allow Ally to see when you are busy and to add interviews to your calendar."
              : "You sign in at Microsoft (work, school or personal account) and allow Ally to see when you are busy and to add interviews to your calendar."}
          </p>
          <Csrf token={csrf} />
          <div class="actions">
            <button type="submit">Connect {PROVIDER_NAMES[provider]}</button>
          </div>
        </form>
      ))}
      <form method="post" action="/app/calendars/caldav" class="stack card" novalidate>
        <h2>Connect a CalDAV calendar</h2>
        <p class="hint">
          iCloud, Fastmail, Nextcloud or any CalDAV server. For iCloud, make an app-specific
          password at appleid.apple.com.
        </p>
        <Csrf token={csrf} />
        <Field
          name="url"
          label="Calendar address"
          hint="Your server's address (https://caldav.icloud.com, https://caldav.fastmail.com) to connect all its calendars, or one calendar's address"
          value={values.url}
          errors={errors}
          type="url"
          inputmode="url"
          required
        />
        <Field
          name="username"
          label="User name"
          value={values.username}
          errors={errors}
          autocomplete="username"
          required
        />
        <Field
          name="password"
          label="App-specific password"
          type="password"
          value=""
          errors={errors}
          autocomplete="off"
          required
        />
        <div class="actions">
          <button type="submit">Connect CalDAV calendar</button>
        </div>
      </form>
      <form method="post" action="/app/calendars/ics-feed" class="stack card" novalidate>
        <h2>Connect an ICS feed</h2>
        <p class="hint">
          The calendar's secret iCal address (Google: "Secret address in iCal format"; Outlook:
          "Publish calendar", ICS link).
        </p>
        <Csrf token={csrf} />
        <Field
          name="feedUrl"
          label="Secret iCal address"
          value={values.feedUrl}
          errors={errors}
          type="url"
          inputmode="url"
          autocomplete="off"
          required
        />
        <div class="actions">
          <button type="submit">Connect ICS feed</button>
        </div>
      </form>
    </>,
    false,
  );
};

const onePage = async (c: C, connection: CalendarConnection, errors?: FieldErrors) => {
  const actor = requireActor(c);
  return frame(
    c,
    connection.label,
    <>
      <h1>{connection.label}</h1>
      <ErrorSummary errors={errors} />
      {connection.status === "unhealthy" ? (
        <Notice>
          Ally cannot read this calendar, so your busy time may be out of date:{" "}
          {connection.lastError}
        </Notice>
      ) : null}
      <dl class="card">
        {connection.account === null ? null : (
          <>
            <dt>Account</dt>
            <dd>{connection.account}</dd>
          </>
        )}
        <dt>Status</dt>
        <dd>{STATUS[connection.status]}</dd>
        <dt>Last synced</dt>
        <dd>{when(connection.lastSyncedAt)}</dd>
        <dt>Last error</dt>
        <dd>{connection.lastError ?? "None"}</dd>
      </dl>
      {connection.provider === "google" || connection.provider === "microsoft" ? (
        <p>
          <a href={`/app/calendars/${connection.id}/calendars`}>
            Choose which calendars count as busy
          </a>
        </p>
      ) : null}
      {connection.provider === "microsoft" &&
      mayActOnConnection(actor, connection.userId, "change") ? (
        <p class="hint">
          Microsoft has no way for Ally to withdraw its access: disconnecting deletes Ally's tokens;
          to remove Ally from your account too, do so under your Microsoft account's app
          permissions.
        </p>
      ) : null}
      {mayActOnConnection(actor, connection.userId, "change") ? (
        <DeleteForm
          action={`/app/calendars/${connection.id}/delete`}
          what="this calendar connection"
          csrfToken={c.get("csrfToken")}
          errors={errors}
        />
      ) : null}
      <p>
        <a href="/app/calendars">All your calendars</a>
      </p>
    </>,
  );
};

const oneConnection = {
  objectParam: "connectionId",
  objectKind: "calendar-connection" as const,
};

const choosePage = async (
  c: C,
  choices: CalendarChoices,
  values?: { busy: string[]; receivesEvents: string },
  errors?: FieldErrors,
) => {
  const actor = requireActor(c);
  const connection = await c.get("deps").calendars.getConnection(actor, choices.connectionId);
  const busy = new Set(
    values?.busy ?? choices.calendars.filter((cal) => cal.busy).map((cal) => cal.id),
  );
  const receives =
    values?.receivesEvents ?? choices.calendars.find((cal) => cal.receivesEvents)?.id ?? "";
  const mine = mayActOnConnection(actor, connection.userId, "change");
  const busyError = errors?.busy;
  const receivesError = errors?.receivesEvents;
  return frame(
    c,
    `Calendars of ${choices.label}`,
    <>
      <h1>Choose calendars</h1>
      <p>
        {choices.label}
        {choices.account === null ? "" : `, ${choices.account}`}
      </p>
      <ErrorSummary errors={errors} />
      {choices.calendars.length === 0 ? (
        <p>This connection is a single calendar: there is nothing to choose.</p>
      ) : (
        <form
          method="post"
          action={`/app/calendars/${choices.connectionId}/calendars`}
          class="stack card"
          novalidate
        >
          <Csrf token={c.get("csrfToken")} />
          <fieldset aria-describedby={busyError ? "field-busy-error" : "field-busy-hint"}>
            <legend>Calendars that count as busy</legend>
            <span class="hint" id="field-busy-hint">
              Ally offers interview times only when you are free in every calendar ticked here.
            </span>
            {busyError ? (
              <span class="error-text" id="field-busy-error">
                {busyError}
              </span>
            ) : null}
            <div class="checks">
              {choices.calendars.map((calendar, i) => {
                const id = i === 0 ? "field-busy" : `busy-${i}`;
                return (
                  <div class="check">
                    <input
                      type="checkbox"
                      id={id}
                      name="busy"
                      value={calendar.id}
                      checked={busy.has(calendar.id)}
                      disabled={!mine}
                      aria-invalid={busyError && i === 0 ? "true" : undefined}
                    />
                    <label for={id}>{calendar.name}</label>
                  </div>
                );
              })}
            </div>
          </fieldset>
          <fieldset
            aria-describedby={
              receivesError ? "field-receivesEvents-error" : "field-receivesEvents-hint"
            }
          >
            <legend>Calendar that receives Ally's events</legend>
            <span class="hint" id="field-receivesEvents-hint">
              Interviews Ally books for you are added to this calendar.
            </span>
            {receivesError ? (
              <span class="error-text" id="field-receivesEvents-error">
                {receivesError}
              </span>
            ) : null}
            <div class="checks">
              {choices.calendars.map((calendar, i) => {
                const id = i === 0 ? "field-receivesEvents" : `receives-${i}`;
                return (
                  <div class="check">
                    <input
                      type="radio"
                      id={id}
                      name="receivesEvents"
                      value={calendar.id}
                      checked={receives === calendar.id}
                      disabled={!mine}
                      aria-invalid={receivesError && i === 0 ? "true" : undefined}
                    />
                    <label for={id}>{calendar.name}</label>
                  </div>
                );
              })}
            </div>
          </fieldset>
          {mine ? (
            <SaveOrCancel
              label="Save calendars"
              cancelHref={`/app/calendars/${choices.connectionId}`}
            />
          ) : null}
        </form>
      )}
      <p>
        <a href={`/app/calendars/${choices.connectionId}`}>Back to {choices.label}</a>
      </p>
    </>,
  );
};

export function registerCalendarPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerConnectPages(app, routes);
  registerConnectionPages(app, routes);
  registerOAuthPages(app, routes);
  registerChoicePages(app, routes);
}

/** The list of connections and the CalDAV and ICS feed forms that add one. */
function registerConnectPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/calendars",
    kind: "page",
    access: "member",
    summary: "Your calendar connections",
    handler: async (c) => c.html(await listPage(c, EMPTY)),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/calendars/caldav",
    kind: "page",
    access: "member",
    summary: "Connects a CalDAV calendar",
    handler: async (c) => {
      const actor = requireActor(c);
      const form = await formValues(c);
      const values = { ...EMPTY, url: form.url ?? "", username: form.username ?? "" };
      try {
        await c.get("deps").calendars.connect(actor, {
          provider: "caldav",
          url: values.url,
          username: values.username,
          password: form.password ?? "",
        });
      } catch (error) {
        const failed = formFailure(c, error, "url");
        return c.html(await listPage(c, values, failed.errors), failed.status);
      }
      return c.redirect("/app/calendars", 303);
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/calendars/ics-feed",
    kind: "page",
    access: "member",
    summary: "Connects an ICS feed",
    handler: async (c) => {
      const actor = requireActor(c);
      const form = await formValues(c);
      const values = { ...EMPTY, feedUrl: form.feedUrl ?? "" };
      try {
        await c.get("deps").calendars.connect(actor, { provider: "ics-feed", url: values.feedUrl });
      } catch (error) {
        const failed = formFailure(c, error, "feedUrl");
        // The service names its field `url`; on this form it is `feedUrl`.
        const { url, ...rest } = failed.errors;
        return c.html(
          await listPage(c, values, url === undefined ? rest : { ...rest, feedUrl: url }),
          failed.status,
        );
      }
      return c.redirect("/app/calendars", 303);
    },
  });
}

/** One connection's health, and disconnecting it. */
function registerConnectionPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/calendars/:connectionId",
    kind: "page",
    access: "member",
    summary: "A calendar connection's health",
    ...oneConnection,
    handler: async (c) => {
      const connection = await c
        .get("deps")
        .calendars.getConnection(requireActor(c), c.req.param("connectionId"));
      return c.html(await onePage(c, connection));
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/calendars/:connectionId/delete",
    kind: "page",
    access: "member",
    summary: "Disconnects a calendar and forgets its busy time",
    ...oneConnection,
    handler: async (c) => {
      const actor = requireActor(c);
      const { calendars } = c.get("deps");
      if (!(await deleteConfirmed(c))) {
        const connection = await calendars.getConnection(actor, c.req.param("connectionId"));
        return c.html(await onePage(c, connection, UNCONFIRMED_DELETE), INVALID_FORM);
      }
      await calendars.disconnect(actor, c.req.param("connectionId"));
      return c.redirect("/app/calendars", 303);
    },
  });
}

/** Connecting Google or Microsoft 365: the sign-in there and the way back. */
function registerOAuthPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  for (const provider of OAUTH_PROVIDERS) {
    defineRoute(app, routes, {
      method: "POST",
      path: `/app/calendars/connect/${provider}`,
      kind: "page",
      access: "member",
      summary: `Starts connecting ${PROVIDER_NAMES[provider]}: sends the member to sign in there`,
      handler: async (c) => {
        const actor = requireActor(c);
        try {
          return c.redirect(await c.get("deps").calendarAccounts.begin(actor, provider), 303);
        } catch (error) {
          if (!(error instanceof AppError) || error.code !== "CALENDAR_PROVIDER_NOT_CONFIGURED") {
            throw error;
          }
          return c.html(
            await listPage(c, EMPTY, undefined, error.message),
            HTTP_STATUS[error.code],
          );
        }
      },
    });

    defineRoute(app, routes, {
      method: "GET",
      path: `/app/calendars/oauth/${provider}/callback`,
      kind: "page",
      access: "member",
      summary: `Where ${PROVIDER_NAMES[provider]} sends the member back after signing in`,
      handler: async (c) => {
        const actor = requireActor(c);
        const result = await c.get("deps").calendarAccounts.complete(actor, provider, {
          code: c.req.query("code"),
          state: c.req.query("state"),
          error: c.req.query("error"),
        });
        if (result.ok) return c.redirect(`/app/calendars/${result.connectionId}/calendars`, 303);
        return c.html(
          await listPage(c, EMPTY, undefined, result.message),
          HTTP_STATUS[result.code],
        );
      },
    });
  }
}

/** Choosing which of an account's calendars count as busy and which receives Ally's events. */
function registerChoicePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/calendars/:connectionId/calendars",
    kind: "page",
    access: "member",
    summary: "Which of an account's calendars count as busy and receive Ally's events",
    ...oneConnection,
    handler: async (c) => {
      const choices = await c
        .get("deps")
        .calendarAccounts.calendarChoices(requireActor(c), c.req.param("connectionId"));
      return c.html(await choosePage(c, choices));
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/calendars/:connectionId/calendars",
    kind: "page",
    access: "member",
    summary: "Saves which calendars count as busy and which receives Ally's events",
    ...oneConnection,
    handler: async (c) => {
      const actor = requireActor(c);
      const id = c.req.param("connectionId");
      const form = await allFormValues(c);
      const values = { busy: form.get("busy") ?? [], receivesEvents: one(form, "receivesEvents") };
      const { calendarAccounts } = c.get("deps");
      try {
        await calendarAccounts.chooseCalendars(actor, id, values);
      } catch (error) {
        const failed = formFailure(c, error, "busy");
        const choices = await calendarAccounts.calendarChoices(actor, id);
        return c.html(await choosePage(c, choices, values, failed.errors), failed.status);
      }
      return c.redirect(`/app/calendars/${id}`, 303);
    },
  });
}
