/**
 * JSON API for one's own API tokens. Session-only: called with the session cookie and its
 * X-CSRF-Token (e.g. from a signed-in browser), never with an API token, so a leaked token
 * cannot make more tokens.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { apiTokenInput } from "../../accounts/schemas.js";
import type { ApiTokenInfo } from "../../accounts/service.js";
import { TOKEN_SCOPES } from "../../accounts/token-scopes.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { apiActor, errorResponses } from "./common.js";

const ApiToken = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(TOKEN_SCOPES)),
    createdAt: z.string(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi("ApiToken");
const tokenId = z.object({
  tokenId: z.string().openapi({ param: { name: "tokenId", in: "path" } }),
});
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const iso = (ms: number) => new Date(ms).toISOString();
const view = (t: ApiTokenInfo) => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  createdAt: iso(t.createdAt),
  lastUsedAt: t.lastUsedAt === null ? null : iso(t.lastUsedAt),
});
/** Session cookie; documented so clients know a bearer token is refused here. */
const sessionOnly = [{ session: [] }];
const SESSION_NOTE =
  "Needs a signed-in session (cookie and X-CSRF-Token); API tokens are refused with 403.";

export function registerTokensApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "session", {
    type: "apiKey",
    in: "cookie",
    name: "ally_session",
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/tokens",
    kind: "api",
    access: "member",
    sessionOnly: true,
    summary: "List your API tokens",
    operation: {
      description: SESSION_NOTE,
      tags: ["Accounts"],
      security: sessionOnly,
      responses: {
        200: json(z.object({ tokens: z.array(ApiToken) }), "Live tokens"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const tokens = await c.get("deps").accounts.listApiTokens(apiActor(c));
      return c.json({ tokens: tokens.map(view) }, 200);
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/api/v1/tokens",
    kind: "api",
    access: { permission: "api-tokens:own" },
    sessionOnly: true,
    summary: "Create an API token with scopes (read only unless asked)",
    input: {
      body: { content: { "application/json": { schema: apiTokenInput } }, required: true },
    },
    operation: {
      description: `${SESSION_NOTE} The token is in the answer once and never again.`,
      tags: ["Accounts"],
      security: sessionOnly,
      responses: {
        201: json(ApiToken.extend({ token: z.string() }), "The new token"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const input = c.req.valid("json");
      const { token, info } = await c
        .get("deps")
        .accounts.createApiToken(apiActor(c), input.name, c.get("meta"), input.scopes);
      return c.json({ ...view(info), token }, 201);
    },
  });

  defineRoute(app, routes, {
    method: "DELETE",
    path: "/api/v1/tokens/:tokenId",
    kind: "api",
    access: { permission: "api-tokens:own" },
    sessionOnly: true,
    objectParam: "tokenId",
    objectKind: "api-token",
    summary: "Revoke one of your API tokens",
    input: { params: tokenId },
    operation: {
      description: SESSION_NOTE,
      tags: ["Accounts"],
      security: sessionOnly,
      responses: { 204: { description: "Revoked" }, ...errorResponses },
    },
    handler: async (c) => {
      await c
        .get("deps")
        .accounts.revokeApiToken(apiActor(c), c.req.valid("param").tokenId, c.get("meta"));
      return c.body(null, 204);
    },
  });
}
