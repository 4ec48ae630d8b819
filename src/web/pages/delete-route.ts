/**
 * The page route that deletes one object after a ticked confirmation box (see `DeleteForm`):
 * registered in the route table with its access rule and object parameter, it deletes and
 * goes back to the list, or, when the box was not ticked, shows the object's page again with
 * the reason and deletes nothing.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Permission } from "../../accounts/permissions.js";
import type { Actor } from "../../accounts/service.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { deleteConfirmed, INVALID_FORM, requireActor, UNCONFIRMED_DELETE } from "../forms.js";
import type { FieldErrors } from "../layout.js";
import type { ObjectKind, RouteTable } from "../route-table.js";

/** Whatever `c.html` renders: a JSX page or its HTML. */
type PageHtml = Parameters<Context<AppEnv>["html"]>[0];

export interface DeleteRoute {
  /** e.g. "/app/pools": the list; the route is `${listPath}/:${param}/delete`. */
  listPath: string;
  param: string;
  objectKind: ObjectKind;
  permission: Permission;
  summary: string;
  remove(c: Context<AppEnv>, actor: Actor, id: string): Promise<void>;
  /** The object's page showing these errors. */
  page(c: Context<AppEnv>, actor: Actor, id: string, errors: FieldErrors): Promise<PageHtml>;
  /** Answers a failed delete (e.g. still in use); rethrows what it does not handle. */
  onError?(c: Context<AppEnv>, actor: Actor, id: string, error: unknown): Promise<Response>;
}

export function registerDeleteRoute(
  app: OpenAPIHono<AppEnv>,
  routes: RouteTable,
  route: DeleteRoute,
): void {
  const path = `${route.listPath}/:${route.param}/delete`;
  defineRoute(app, routes, {
    method: "POST",
    path,
    kind: "page",
    access: { permission: route.permission },
    summary: route.summary,
    objectParam: route.param,
    objectKind: route.objectKind,
    handler: async (c) => {
      const actor = requireActor(c);
      const id = c.req.param(route.param) as string;
      if (!(await deleteConfirmed(c))) {
        return c.html(await route.page(c, actor, id, UNCONFIRMED_DELETE), INVALID_FORM);
      }
      try {
        await route.remove(c, actor, id);
      } catch (error) {
        if (route.onError === undefined) throw error;
        return route.onError(c, actor, id, error);
      }
      return c.redirect(route.listPath, 303);
    },
  });
}
