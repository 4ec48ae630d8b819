/**
 * The step before removing a member: what goes with them and what happens to the interviews
 * they are booked on, and a button that confirms (posting to `/app/members/:userId/remove`).
 * A plain page and form: it works without JavaScript.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { upcomingBookingsOf } from "../../booking/member-removal.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { requireActor } from "../forms.js";
import { Csrf, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

export function registerMemberRemovalConfirmation(
  app: OpenAPIHono<AppEnv>,
  routes: RouteTable,
): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/members/:userId/remove",
    kind: "page",
    access: { permission: "members:manage" },
    objectParam: "userId",
    objectKind: "member",
    summary: "Asks to confirm removing a member (admins)",
    handler: async (c) => {
      const actor = requireActor(c);
      const deps = c.get("deps");
      const member = await deps.accounts.getMember(actor, c.req.param("userId"));
      const upcoming = await upcomingBookingsOf(
        deps.store.db,
        actor.orgId,
        member.userId,
        deps.clock.now(),
      );
      const requests = new Set(upcoming.map((b) => b.requestId)).size;
      return c.html(
        <Page
          title={`Remove ${member.name}?`}
          session={c.get("session")}
          csrfToken={c.get("csrfToken")}
          current="/app/members"
          narrow
        >
          <h1>Remove {member.name}?</h1>
          <p>
            {member.name} ({member.email}) leaves your organisation at once. Their sessions and API
            tokens here stop working, their calendar connections are deleted with the busy time they
            brought (Ally can no longer read or write those calendars), and they leave every
            interviewer pool.
          </p>
          {upcoming.length === 0 ? (
            <p>They are not booked on any upcoming interview.</p>
          ) : (
            <p>
              They are booked on {plural(upcoming.length, "upcoming session", "upcoming sessions")}{" "}
              ({plural(requests, "interview", "interviews")}). The interviews stand: the recruiter
              of each is told by email and on its timeline, to find another interviewer.
            </p>
          )}
          <form method="post" action={`/app/members/${member.userId}/remove`} class="actions">
            <Csrf token={c.get("csrfToken")} />
            <button type="submit" class="danger">
              Remove {member.name}
            </button>
            <a href="/app/members">Keep them</a>
          </form>
        </Page>,
      );
    },
  });
}
