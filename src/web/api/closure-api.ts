/**
 * JSON API for the end of an account's life: a user closes their own account, an owner closes
 * the organisation (erased after the same grace period as on its page) or cancels the closing.
 * Each route calls the same accounts command as its page; only the answers differ.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { deleteCookie } from "hono/cookie";
import type { OrganisationClosing } from "../../accounts/org-closure.js";
import { disableSecondFactorInput } from "../../accounts/schemas.js";
import { AppError, invalid } from "../../errors.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { apiActor, errorResponses, security } from "./common.js";

const Closing = z
  .object({
    closingSince: z.string().openapi({ description: "When an owner closed it (RFC 3339)" }),
    eraseAfter: z
      .string()
      .openapi({ description: "When its data is erased unless an owner cancels (RFC 3339)" }),
  })
  .openapi("OrganisationClosing");
const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});
const iso = (ms: number) => new Date(ms).toISOString();
const view = (closing: OrganisationClosing) => ({
  closingSince: iso(closing.closingSince),
  eraseAfter: iso(closing.eraseAfter),
});

const CLOSE_ACCOUNT_NOTE =
  "Needs a signed-in session (cookie and X-CSRF-Token) and the account's password; API tokens are refused with 403. " +
  "An API token acts for its user, but closing the account cannot be undone: a leaked token must not be able to end the account " +
  "(or try its password), so only the person, signed in, may. A wrong password is refused on the `password` field (422). " +
  "Refused with LAST_OWNER (409) while the caller alone owns an organisation that has other members.";

export function registerClosureApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "POST",
    path: "/api/v1/me/close",
    kind: "api",
    access: "member",
    sessionOnly: true,
    summary:
      "Closes the caller's own account, confirmed with the password (session only: a token acting for the user may not end the account)",
    input: {
      body: {
        content: { "application/json": { schema: disableSecondFactorInput } },
        required: true,
      },
    },
    operation: {
      description: CLOSE_ACCOUNT_NOTE,
      tags: ["Accounts"],
      security: [{ session: [] }],
      responses: {
        204: { description: "Closed; the session is over" },
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const actor = apiActor(c);
      try {
        await c
          .get("deps")
          .accounts.closeAccount(actor, c.req.valid("json").password, c.get("meta"));
      } catch (error) {
        // The password confirms the request; it is not how the caller signed in.
        if (error instanceof AppError && error.code === "INVALID_CREDENTIALS") {
          throw invalid("password", error.message);
        }
        throw error;
      }
      deleteCookie(c, "ally_session", { path: "/" });
      return c.body(null, 204);
    },
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/organisation/closing",
    kind: "api",
    access: "member",
    summary: "Whether the caller's organisation is closing, and when it will be erased",
    operation: {
      tags: ["Accounts"],
      security,
      responses: {
        200: json(z.object({ closing: Closing.nullable() }), "null when it is not closing"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const closing = await c.get("deps").accounts.organisationClosing(apiActor(c));
      return c.json({ closing: closing === null ? null : view(closing) }, 200);
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/api/v1/organisation/closing",
    kind: "api",
    access: { permission: "owners:manage" },
    summary:
      "Closes the organisation (owners): every member is told, and its data is erased after the grace period unless an owner cancels",
    operation: {
      description:
        "The same grace period as on the organisation's page (30 days unless the server is configured otherwise). " +
        "A token of an owner with write scope may do this: nothing is erased until the period ends, every member is emailed, " +
        "and an owner can cancel with DELETE. CONFLICT (409) when it is already closing.",
      tags: ["Accounts"],
      security,
      responses: {
        200: json(Closing, "Closing, and when it will be erased"),
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const closing = await c.get("deps").accounts.closeOrganisation(apiActor(c), c.get("meta"));
      return c.json(view(closing), 200);
    },
  });

  defineRoute(app, routes, {
    method: "DELETE",
    path: "/api/v1/organisation/closing",
    kind: "api",
    access: { permission: "owners:manage" },
    summary: "Cancels closing the organisation during the grace period (owners)",
    operation: {
      description: "Every member is told. CONFLICT (409) when it is not closing.",
      tags: ["Accounts"],
      security,
      responses: { 204: { description: "No longer closing" }, ...errorResponses },
    },
    handler: async (c) => {
      await c.get("deps").accounts.cancelOrganisationClosing(apiActor(c), c.get("meta"));
      return c.body(null, 204);
    },
  });
}
