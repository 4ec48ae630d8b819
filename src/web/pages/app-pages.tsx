/** The signed-in home, the team (members, roles, invitations) and the audit log. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { can } from "../../accounts/permissions.js";
import { inviteInput, roleChangeInput } from "../../accounts/schemas.js";
import type { Invitation, Member } from "../../accounts/service.js";
import { ROLES } from "../../accounts/tables.js";
import { forbidden } from "../../errors.js";
import { listAudit } from "../../privacy/audit-log.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import {
  type FormValues,
  formFailure,
  formValues,
  INVALID_FORM,
  parseForm,
  requireActor,
} from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { HomeOverview, loadHomeOverview } from "./home-overview.js";

type C = Context<AppEnv>;

const when = (epochMs: number) => new Date(epochMs).toISOString().slice(0, 16).replace("T", " ");

/** "2 connected", "1 of 2 not working", "none connected": what a recruiter can rely on. */
export function calendarSummary(
  health: { connected: number; unhealthy: number; stale: number } | undefined,
): string {
  if (health === undefined || health.connected === 0) return "none connected";
  const of = health.connected === 1 ? "" : ` of ${health.connected}`;
  if (health.unhealthy > 0) return `${health.unhealthy}${of} not working`;
  if (health.stale > 0) return `${health.stale}${of} not synced lately`;
  return `${health.connected} connected`;
}

/** The team: its members and, for those who manage members, invitations. */
const TeamPage = async ({
  c,
  errors,
  values,
  message,
}: {
  c: C;
  errors?: FieldErrors;
  values?: FormValues;
  message?: string;
}) => {
  const actor = requireActor(c);
  const { accounts } = c.get("deps");
  const members = await accounts.listMembers(actor);
  const manage = can(actor.role, "members:manage");
  const invitations = manage ? await accounts.listInvitations(actor) : [];
  const calendarHealth = can(actor.role, "hiring:read")
    ? await c.get("deps").calendars.healthByMember(actor)
    : undefined;
  const roleOptions = ROLES.filter((r) => r !== "owner" || actor.role === "owner").map((r) => ({
    value: r,
    label: r,
  }));
  return (
    <Page
      title="Team"
      session={c.get("session")}
      csrfToken={c.get("csrfToken")}
      current="/app/members"
    >
      <h1>Team</h1>
      {message ? <Notice tone="good">{message}</Notice> : null}
      <ErrorSummary errors={errors} />
      <MembersTable
        c={c}
        members={members}
        manage={manage}
        roleOptions={roleOptions}
        calendarHealth={calendarHealth}
      />
      {manage ? (
        <InviteSection
          c={c}
          errors={errors}
          values={values}
          roleOptions={roleOptions}
          invitations={invitations}
        />
      ) : null}
    </Page>
  );
};

type RoleOption = { value: string; label: string };
type CalendarHealth = Map<string, Parameters<typeof calendarSummary>[0] & object>;

/** Every member, with their role (changeable by those who manage members) and calendars. */
function MembersTable({
  c,
  members,
  manage,
  roleOptions,
  calendarHealth,
}: {
  c: C;
  members: Member[];
  manage: boolean;
  roleOptions: RoleOption[];
  calendarHealth: CalendarHealth | undefined;
}) {
  const actor = requireActor(c);
  return (
    <div class="table-wrap">
      <table class="stacked">
        <caption class="visually-hidden">Members</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Email</th>
            <th scope="col">Role</th>
            <th scope="col">Profile</th>
            {calendarHealth ? <th scope="col">Calendars</th> : null}
          </tr>
        </thead>
        <tbody>
          {members.map((m: Member) => (
            <tr>
              <td data-label="Name">{m.name}</td>
              <td data-label="Email">{m.email}</td>
              <td data-label="Role">
                {manage && m.userId !== actor.userId ? (
                  <form method="post" action={`/app/members/${m.userId}/role`} class="inline">
                    <Csrf token={c.get("csrfToken")} />
                    <label class="visually-hidden" for={`role-${m.userId}`}>
                      Role of {m.name}
                    </label>
                    <select id={`role-${m.userId}`} name="role">
                      {roleOptions
                        .concat(
                          m.role === "owner" && actor.role !== "owner"
                            ? [{ value: "owner", label: "owner" }]
                            : [],
                        )
                        .map((r) => (
                          <option value={r.value} selected={r.value === m.role}>
                            {r.label}
                          </option>
                        ))}
                    </select>
                    <button type="submit" class="secondary">
                      Change
                    </button>
                  </form>
                ) : (
                  m.role
                )}
                {manage && m.userId !== actor.userId ? (
                  <a
                    class="button secondary"
                    href={`/app/members/${m.userId}/remove`}
                    aria-label={`Remove ${m.name}`}
                  >
                    Remove
                  </a>
                ) : null}
              </td>
              <td data-label="Profile">
                <a href={`/app/interviewers/${m.userId}`}>Hours and limits</a>
              </td>
              {calendarHealth ? (
                <td data-label="Calendars">{calendarSummary(calendarHealth.get(m.userId))}</td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** The invitation form and the invitations already sent. */
function InviteSection({
  c,
  errors,
  values,
  roleOptions,
  invitations,
}: {
  c: C;
  errors?: FieldErrors;
  values?: FormValues;
  roleOptions: RoleOption[];
  invitations: Invitation[];
}) {
  return (
    <>
      <h2>Invite someone</h2>
      <form method="post" action="/app/members/invite" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="email"
          label="Their email"
          type="email"
          value={values?.email}
          errors={errors}
          required
        />
        <Field
          name="role"
          label="Role"
          value={values?.role ?? "interviewer"}
          options={roleOptions}
          errors={errors}
        />
        <button type="submit">Send invitation</button>
      </form>
      {invitations.length > 0 ? (
        <>
          <h2>Invitations</h2>
          <div class="table-wrap">
            <table class="stacked">
              <thead>
                <tr>
                  <th scope="col">Email</th>
                  <th scope="col">Role</th>
                  <th scope="col">Sent</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {invitations.map((i) => (
                  <tr>
                    <td data-label="Email">{i.email}</td>
                    <td data-label="Role">{i.role}</td>
                    <td data-label="Sent">{when(i.createdAt)}</td>
                    <td data-label="Status">
                      {i.acceptedAt
                        ? "accepted"
                        : i.expiresAt < c.get("deps").clock.now()
                          ? "expired"
                          : "waiting"}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      <p>
        <a href="/app/audit">Audit log</a> · <a href="/app/retention">How long data is kept</a>
      </p>
    </>
  );
}

export function registerAppPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerHomePage(app, routes);
  registerTeamPages(app, routes);
  registerAuditPage(app, routes);
}

/** The signed-in home. */
function registerHomePage(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app",
    kind: "page",
    access: "member",
    summary: "Signed-in home",
    handler: async (c) => {
      const actor = requireActor(c);
      const { hiring, accounts } = c.get("deps");
      const session = c.get("session");
      const members = await accounts.listMembers(actor);
      const jobs = await hiring.listJobs(actor);
      // Recruiters see what needs them; an interviewer's home stays their own profile.
      const recruiter = can(actor.role, "candidates:read") && can(actor.role, "hiring:read");
      const overview = recruiter ? await loadHomeOverview(c) : undefined;
      const zone = recruiter
        ? (await hiring.getInterviewerProfile(actor, actor.userId)).timeZone
        : "UTC";
      return c.html(
        <Page title="Home" session={session} csrfToken={c.get("csrfToken")} current="/app">
          {c.req.query("welcome") ? (
            <Notice tone="good">Welcome to Ally. Your email address is confirmed.</Notice>
          ) : null}
          <h1>{session?.organisationName ?? "Your organisation"}</h1>
          <p>
            Signed in as {session?.userName} ({actor.role}).
          </p>
          {overview ? (
            <div class="grid">
              <HomeOverview data={overview} zone={zone} />
            </div>
          ) : null}
          <div class="grid">
            <div class="card">
              <h2>Team</h2>
              <p class="stat">{members.length}</p>
              <p>
                <a href="/app/members">Members and invitations</a>
              </p>
            </div>
            <div class="card">
              <h2>Jobs</h2>
              <p class="stat">{jobs.length}</p>
              <p>
                <a href="/app/jobs">Open roles</a>
              </p>
            </div>
            {recruiter ? (
              <div class="card">
                <h2>Ally by email</h2>
                <p>Copy Ally on an email to a candidate and it schedules by conversation.</p>
                <ul>
                  <li>
                    <a href="/app/assistant/escalations">Messages waiting for you</a>
                  </li>
                  <li>
                    <a href="/app/assistant/settings">Ally's address and review mode</a>
                  </li>
                  {can(actor.role, "members:manage") ? (
                    <li>
                      <a href="/app/mailboxes">Mailboxes Ally reads</a>
                    </li>
                  ) : null}
                </ul>
              </div>
            ) : null}
            <div class="card">
              <h2>Your interviewer profile</h2>
              <p>Time zone, working hours and interview limits.</p>
              <p>
                <a href={`/app/interviewers/${actor.userId}`}>Edit your profile</a>
              </p>
            </div>
          </div>
        </Page>,
      );
    },
  });
}

/** The team: its members, inviting someone and changing a role. */
function registerTeamPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/members",
    kind: "page",
    access: "member",
    summary: "Team members",
    handler: async (c) =>
      c.html(
        await TeamPage({ c, message: c.req.query("invited") ? "Invitation sent." : undefined }),
      ),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/members/invite",
    kind: "page",
    access: { permission: "members:manage" },
    summary: "Invites a member",
    handler: async (c) => {
      const actor = requireActor(c);
      if (!can(actor.role, "members:manage")) throw forbidden();
      const values = await formValues(c);
      const parsed = parseForm(inviteInput, values);
      if (!parsed.ok)
        return c.html(await TeamPage({ c, errors: parsed.errors, values }), INVALID_FORM);
      try {
        await c.get("deps").accounts.invite(actor, parsed.value, c.get("meta"));
      } catch (error) {
        const failed = formFailure(c, error, "email");
        return c.html(await TeamPage({ c, errors: failed.errors, values }), failed.status);
      }
      return c.redirect("/app/members?invited=1", 303);
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/members/:userId/role",
    kind: "page",
    access: { permission: "members:manage" },
    objectParam: "userId",
    objectKind: "member",
    summary: "Changes a member's role",
    handler: async (c) => {
      const actor = requireActor(c);
      const values = await formValues(c);
      const parsed = parseForm(roleChangeInput, values);
      if (!parsed.ok) return c.html(await TeamPage({ c, errors: parsed.errors }), INVALID_FORM);
      try {
        await c
          .get("deps")
          .accounts.changeRole(actor, c.req.param("userId"), parsed.value.role, c.get("meta"));
      } catch (error) {
        const failed = formFailure(c, error, "role");
        return c.html(await TeamPage({ c, errors: failed.errors }), failed.status);
      }
      return c.redirect("/app/members", 303);
    },
  });
}

/** The organisation's audit log. */
function registerAuditPage(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/audit",
    kind: "page",
    access: { permission: "audit:read" },
    summary: "Audit log",
    handler: async (c) => {
      const actor = requireActor(c);
      if (!can(actor.role, "audit:read")) throw forbidden();
      const { store, accounts } = c.get("deps");
      const entries = await listAudit(store.db, actor.orgId);
      const names = new Map((await accounts.listMembers(actor)).map((m) => [m.userId, m.name]));
      return c.html(
        <Page
          title="Audit log"
          session={c.get("session")}
          csrfToken={c.get("csrfToken")}
          current="/app/members"
        >
          <h1>Audit log</h1>
          <p>
            Sensitive actions in your organisation. IP addresses are shortened before they are
            stored.
          </p>
          <div class="table-wrap">
            <table class="stacked">
              <thead>
                <tr>
                  <th scope="col">When (UTC)</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Detail</th>
                  <th scope="col">From</th>
                </tr>
              </thead>
              <tbody>
                {entries.map((e) => (
                  <tr>
                    <td data-label="When (UTC)">{when(e.at)}</td>
                    <td data-label="Who">
                      {e.actorUserId ? (names.get(e.actorUserId) ?? "former member") : "—"}
                    </td>
                    <td data-label="What">{e.action}</td>
                    <td data-label="Detail">{e.target ?? ""}</td>
                    <td data-label="From">{e.ip ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Page>,
      );
    },
  });
}
