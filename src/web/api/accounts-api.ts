/** JSON API for accounts: who am I, members and their roles, invitations. */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  inviteInput,
  organisationInput,
  profileInput,
  roleChangeInput,
} from "../../accounts/schemas.js";
import { ROLES } from "../../accounts/tables.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { registerClosureApi } from "./closure-api.js";
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
const Profile = z
  .object({
    name: z.string(),
    email: z.string(),
    phone: z.string(),
    postalAddress: z.string(),
    pendingEmail: z.string().nullable(),
  })
  .openapi("Profile");
const Organisation = z.object({ id: z.string(), name: z.string() }).openapi("Organisation");
const userId = z.object({ userId: z.string().openapi({ param: { name: "userId", in: "path" } }) });
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const iso = (ms: number) => new Date(ms).toISOString();

/** The member a route names. */
const one = { objectParam: "userId", objectKind: "member" as const };

export function registerAccountsApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerMemberApi(app, routes);
  registerInvitationApi(app, routes);
  registerProfileApi(app, routes);
  registerClosureApi(app, routes);
}

/** The caller, and the organisation's members: listing, reading, changing a role, removing. */
function registerMemberApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
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
    method: "DELETE",
    path: "/api/v1/members/:userId",
    kind: "api",
    access: { permission: "members:manage" },
    ...one,
    summary:
      "Remove a member: their membership, sessions, tokens, calendars and pool places go; recruiters of their booked interviews are told",
    input: { params: userId },
    operation: {
      tags: ["Accounts"],
      security,
      responses: { 204: { description: "Removed" }, ...errorResponses },
    },
    handler: async (c) => {
      await c
        .get("deps")
        .accounts.removeMember(apiActor(c), c.req.valid("param").userId, c.get("meta"));
      return c.body(null, 204);
    },
  });
}

/** Invitations: listing them and inviting someone. */
function registerInvitationApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
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

/** The caller's own details, and the organisation's (owners change them). */
function registerProfileApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/me/profile",
    kind: "api",
    access: "member",
    summary: "The caller's own name, email, telephone and postal address",
    operation: {
      tags: ["Accounts"],
      security,
      responses: { 200: json(Profile, "The caller's details"), ...errorResponses },
    },
    handler: async (c) => c.json(await c.get("deps").accounts.getProfile(apiActor(c)), 200),
  });

  defineRoute(app, routes, {
    method: "PUT",
    path: "/api/v1/me/profile",
    kind: "api",
    access: "member",
    summary: "Replaces the caller's own details; a new email waits for the link mailed to it",
    input: {
      body: { content: { "application/json": { schema: profileInput } }, required: true },
    },
    operation: {
      tags: ["Accounts"],
      security,
      responses: {
        200: json(Profile, "The details now (a new email shows as pendingEmail)"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const actor = apiActor(c);
      const { accounts } = c.get("deps");
      await accounts.updateProfile(actor, c.req.valid("json"), c.get("meta"));
      return c.json(await accounts.getProfile(actor), 200);
    },
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/organisation",
    kind: "api",
    access: "member",
    summary: "The caller's organisation",
    operation: {
      tags: ["Accounts"],
      security,
      responses: { 200: json(Organisation, "The organisation"), ...errorResponses },
    },
    handler: async (c) => c.json(await c.get("deps").accounts.getOrganisation(apiActor(c)), 200),
  });

  defineRoute(app, routes, {
    method: "PATCH",
    path: "/api/v1/organisation",
    kind: "api",
    access: { permission: "owners:manage" },
    summary: "Renames the organisation (owners)",
    input: {
      body: { content: { "application/json": { schema: organisationInput } }, required: true },
    },
    operation: {
      tags: ["Accounts"],
      security,
      responses: { 200: json(Organisation, "The organisation"), ...errorResponses },
    },
    handler: async (c) => {
      const org = await c
        .get("deps")
        .accounts.updateOrganisation(apiActor(c), c.req.valid("json"), c.get("meta"));
      return c.json(org, 200);
    },
  });
}
