/** JSON API for accounts: who am I, members and their roles, invitations. */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { inviteInput, roleChangeInput } from "../../accounts/schemas.js";
import { ROLES } from "../../accounts/tables.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { apiActor, errorResponses, security } from "./common.js";

const Member = z
  .object({
    userId: z.string(),
    name: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    joinedAt: z.string(),
  })
  .openapi("Member");
const Invitation = z
  .object({
    id: z.string(),
    email: z.string(),
    role: z.enum(ROLES),
    createdAt: z.string(),
    expiresAt: z.string(),
    acceptedAt: z.string().nullable(),
  })
  .openapi("Invitation");
const userId = z.object({ userId: z.string().openapi({ param: { name: "userId", in: "path" } }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const iso = (ms: number) => new Date(ms).toISOString();

export function registerAccountsApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  routes.add({
    method: "GET",
    path: "/api/v1/me",
    kind: "api",
    access: "member",
    summary: "The caller",
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/me",
      summary: "The caller: user, organisation and role",
      tags: ["Accounts"],
      security,
      responses: {
        200: json(
          z.object({ userId: z.string(), organisationId: z.string(), role: z.enum(ROLES) }),
          "The caller",
        ),
        ...errorResponses,
      },
    }),
    (c) => {
      const actor = apiActor(c);
      return c.json(
        { userId: actor.userId, organisationId: actor.orgId as string, role: actor.role },
        200,
      );
    },
  );

  routes.add({
    method: "GET",
    path: "/api/v1/members",
    kind: "api",
    access: "member",
    summary: "List members",
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/members",
      summary: "List the organisation's members",
      tags: ["Accounts"],
      security,
      responses: {
        200: json(z.object({ members: z.array(Member) }), "Members"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const members = await c.get("deps").accounts.listMembers(apiActor(c));
      return c.json({ members: members.map((m) => ({ ...m, joinedAt: iso(m.joinedAt) })) }, 200);
    },
  );

  const one = { objectParam: "userId", objectKind: "member" as const };
  routes.add({
    method: "GET",
    path: "/api/v1/members/:userId",
    kind: "api",
    access: "member",
    summary: "Get a member",
    ...one,
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/members/{userId}",
      summary: "Get a member",
      tags: ["Accounts"],
      security,
      request: { params: userId },
      responses: { 200: json(Member, "The member"), ...errorResponses },
    }),
    async (c) => {
      const m = await c.get("deps").accounts.getMember(apiActor(c), c.req.valid("param").userId);
      return c.json({ ...m, joinedAt: iso(m.joinedAt) }, 200);
    },
  );

  routes.add({
    method: "PATCH",
    path: "/api/v1/members/:userId",
    kind: "api",
    access: { permission: "members:manage" },
    summary: "Change a member's role",
    ...one,
  });
  app.openapi(
    createRoute({
      method: "patch",
      path: "/api/v1/members/{userId}",
      summary: "Change a member's role",
      tags: ["Accounts"],
      security,
      request: {
        params: userId,
        body: { content: { "application/json": { schema: roleChangeInput } }, required: true },
      },
      responses: { 200: json(Member, "The member with the new role"), ...errorResponses },
    }),
    async (c) => {
      const actor = apiActor(c);
      const { accounts } = c.get("deps");
      const id = c.req.valid("param").userId;
      await accounts.changeRole(actor, id, c.req.valid("json").role, c.get("meta"));
      const m = await accounts.getMember(actor, id);
      return c.json({ ...m, joinedAt: iso(m.joinedAt) }, 200);
    },
  );

  routes.add({
    method: "GET",
    path: "/api/v1/invitations",
    kind: "api",
    access: { permission: "members:manage" },
    summary: "List invitations",
  });
  app.openapi(
    createRoute({
      method: "get",
      path: "/api/v1/invitations",
      summary: "List invitations",
      tags: ["Accounts"],
      security,
      responses: {
        200: json(z.object({ invitations: z.array(Invitation) }), "Invitations"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const list = await c.get("deps").accounts.listInvitations(apiActor(c));
      return c.json(
        {
          invitations: list.map((i) => ({
            ...i,
            createdAt: iso(i.createdAt),
            expiresAt: iso(i.expiresAt),
            acceptedAt: i.acceptedAt === null ? null : iso(i.acceptedAt),
          })),
        },
        200,
      );
    },
  );

  routes.add({
    method: "POST",
    path: "/api/v1/invitations",
    kind: "api",
    access: { permission: "members:manage" },
    summary: "Invite a member",
  });
  app.openapi(
    createRoute({
      method: "post",
      path: "/api/v1/invitations",
      summary: "Invite someone by email",
      tags: ["Accounts"],
      security,
      request: {
        body: { content: { "application/json": { schema: inviteInput } }, required: true },
      },
      responses: {
        201: json(Invitation, "The invitation (the email is on its way)"),
        ...errorResponses,
      },
    }),
    async (c) => {
      const i = await c
        .get("deps")
        .accounts.invite(apiActor(c), c.req.valid("json"), c.get("meta"));
      return c.json(
        { ...i, createdAt: iso(i.createdAt), expiresAt: iso(i.expiresAt), acceptedAt: null },
        201,
      );
    },
  );
}
