/**
 * Calendar connections: each member connects their own calendars (CalDAV with an app-specific
 * password, or an ICS feed's secret address), sees whether each is healthy and when it last
 * synced, and disconnects. Ally reads a calendar once before saving it, so a wrong password or
 * an unreadable feed is an error on its field, not a broken connection later.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { CalendarConnection } from "../../calendar/connections.js";
import type { AppEnv } from "../env.js";
import {
  deleteConfirmed,
  fieldErrorsFrom,
  formValues,
  requireActor,
  UNCONFIRMED_DELETE,
} from "../forms.js";
import { Csrf, DeleteForm, ErrorSummary, Field, type FieldErrors, Notice } from "../layout.js";
import { sectionFrame } from "../page-frame.js";
import type { RouteTable } from "../route-table.js";

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

export function registerCalendarPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const frame = sectionFrame("/app/calendars");

  const listPage = async (c: C, values: ConnectValues, errors?: FieldErrors) => {
    const actor = requireActor(c);
    const connections = await c.get("deps").calendars.listConnections(actor);
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
        <ErrorSummary errors={errors} />
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
            hint="The calendar collection's address, e.g. https://caldav.example.com/dana/work/"
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

  routes.add({
    method: "GET",
    path: "/app/calendars",
    kind: "page",
    access: "member",
    summary: "Your calendar connections",
  });
  app.get("/app/calendars", async (c) => c.html(await listPage(c, EMPTY)));

  routes.add({
    method: "POST",
    path: "/app/calendars/caldav",
    kind: "page",
    access: "member",
    summary: "Connects a CalDAV calendar",
  });
  app.post("/app/calendars/caldav", async (c) => {
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
      return c.html(await listPage(c, values, fieldErrorsFrom(error, "url")), 422);
    }
    return c.redirect("/app/calendars", 303);
  });

  routes.add({
    method: "POST",
    path: "/app/calendars/ics-feed",
    kind: "page",
    access: "member",
    summary: "Connects an ICS feed",
  });
  app.post("/app/calendars/ics-feed", async (c) => {
    const actor = requireActor(c);
    const form = await formValues(c);
    const values = { ...EMPTY, feedUrl: form.feedUrl ?? "" };
    try {
      await c.get("deps").calendars.connect(actor, { provider: "ics-feed", url: values.feedUrl });
    } catch (error) {
      const errors = fieldErrorsFrom(error, "feedUrl");
      // The service names its field `url`; on this form it is `feedUrl`.
      const { url, ...rest } = errors;
      return c.html(
        await listPage(c, values, url === undefined ? rest : { ...rest, feedUrl: url }),
        422,
      );
    }
    return c.redirect("/app/calendars", 303);
  });

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
          <dt>Status</dt>
          <dd>{STATUS[connection.status]}</dd>
          <dt>Last synced</dt>
          <dd>{when(connection.lastSyncedAt)}</dd>
          <dt>Last error</dt>
          <dd>{connection.lastError ?? "None"}</dd>
        </dl>
        {connection.userId === actor.userId ? (
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
  routes.add({
    method: "GET",
    path: "/app/calendars/:connectionId",
    kind: "page",
    access: "member",
    summary: "A calendar connection's health",
    ...oneConnection,
  });
  app.get("/app/calendars/:connectionId", async (c) => {
    const connection = await c
      .get("deps")
      .calendars.getConnection(requireActor(c), c.req.param("connectionId"));
    return c.html(await onePage(c, connection));
  });

  routes.add({
    method: "POST",
    path: "/app/calendars/:connectionId/delete",
    kind: "page",
    access: "member",
    summary: "Disconnects a calendar and forgets its busy time",
    ...oneConnection,
  });
  app.post("/app/calendars/:connectionId/delete", async (c) => {
    const actor = requireActor(c);
    const { calendars } = c.get("deps");
    if (!(await deleteConfirmed(c))) {
      const connection = await calendars.getConnection(actor, c.req.param("connectionId"));
      return c.html(await onePage(c, connection, UNCONFIRMED_DELETE), 422);
    }
    await calendars.disconnect(actor, c.req.param("connectionId"));
    return c.redirect("/app/calendars", 303);
  });
}
