/** JSON API for accounts: who am I, members and their roles, invitations. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { inviteInput, roleChangeInput } from "../../accounts/schemas.js";
import { ROLES } from "../../accounts/tables.js";
import { defineRoute } from "../define-route.js";
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
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/me",
    kind: "api",
    access: "member",
    summary: "The caller: user, organisation and role",
    operation: {
      tags: ["Accounts"],
      security,
      responses: {
        200: json(
          z.object({ userId: z.string(), organisationId: z.string(), role: z.enum(ROLES) }),
          "The caller",
        ),
        ...errorResponses,
      },
    },
    handler: (c) => {
      const actor = apiActor(c);
      return c.json(
        { userId: actor.userId, organisationId: actor.orgId as string, role: actor.role },
        200,
      );
    },
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/members",
    kind: "api",
    access: "member",
    summary: "List the organisation's members",
    operation: {
      tags: ["Accounts"],
      security,
      responses: {
        200: json(z.object({ members: z.array(Member) }), "Members"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const members = await c.get("deps").accounts.listMembers(apiActor(c));
      return c.json({ members: members.map((m) => ({ ...m, joinedAt: iso(m.joinedAt) })) }, 200);
    },
  });

  const one = { objectParam: "userId", objectKind: "member" as const };
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/members/:userId",
    kind: "api",
    access: "member",
    ...one,
    summary: "Get a member",
    input: { params: userId },
    operation: {
      tags: ["Accounts"],
      security,
      responses: { 200: json(Member, "The member"), ...errorResponses },
    },
    handler: async (c) => {
      const m = await c.get("deps").accounts.getMember(apiActor(c), c.req.valid("param").userId);
      return c.json({ ...m, joinedAt: iso(m.joinedAt) }, 200);
    },
  });

  defineRoute(app, routes, {
    method: "PATCH",
    path: "/api/v1/members/:userId",
    kind: "api",
    access: { permission: "members:manage" },
    ...one,
    summary: "Change a member's role",
    input: {
      params: userId,
      body: { content: { "application/json": { schema: roleChangeInput } }, required: true },
    },
    operation: {
      tags: ["Accounts"],
      security,
      responses: { 200: json(Member, "The member with the new role"), ...errorResponses },
    },
    handler: async (c) => {
      const actor = apiActor(c);
      const { accounts } = c.get("deps");
      const id = c.req.valid("param").userId;
      await accounts.changeRole(actor, id, c.req.valid("json").role, c.get("meta"));
      const m = await accounts.getMember(actor, id);
      return c.json({ ...m, joinedAt: iso(m.joinedAt) }, 200);
    },
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/invitations",
    kind: "api",
    access: { permission: "members:manage" },
    summary: "List invitations",
    operation: {
      tags: ["Accounts"],
      security,
      responses: {
        200: json(z.object({ invitations: z.array(Invitation) }), "Invitations"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
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
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/api/v1/invitations",
    kind: "api",
    access: { permission: "members:manage" },
    summary: "Invite someone by email",
    input: {
      body: { content: { "application/json": { schema: inviteInput } }, required: true },
    },
    operation: {
      tags: ["Accounts"],
      security,
      responses: {
        201: json(Invitation, "The invitation (the email is on its way)"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const i = await c
        .get("deps")
        .accounts.invite(apiActor(c), c.req.valid("json"), c.get("meta"));
      return c.json(
        { ...i, createdAt: iso(i.createdAt), expiresAt: iso(i.expiresAt), acceptedAt: null },
        201,
      );
    },
  });
}
