/**
 * Each route declared once: method, path, kind, who may call it, the object it takes, its
 * input and its handler. From the one declaration come the router's registration, the route
 * table (from which the authorisation and bad-input tests are generated), the OpenAPI
 * operation of an API route, and the access rule, enforced for exactly the route Hono matched.
 * @example
 *   defineRoute(app, routes, {
 *     method: "GET", path: "/app/jobs", kind: "page", access: { permission: "hiring:read" },
 *     summary: "Jobs", handler: async (c) => c.html(...),
 *   });
 */
import {
  createRoute,
  type OpenAPIHono,
  type RouteConfig,
  type RouteHandler,
} from "@hono/zod-openapi";
import type { Context, MiddlewareHandler } from "hono";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "./env.js";
import type { Access, ObjectKind, RouteSpec, RouteTable } from "./route-table.js";

type Method = RouteSpec["method"];
type LowerMethod = Lowercase<Method>;

interface Declared {
  method: Method;
  /** Hono path, e.g. `/api/v1/jobs/:jobId`; the OpenAPI path is derived from it. */
  path: string;
  access: Access;
  /** The path parameter naming an organisation's object, when the route takes one. */
  objectParam?: string;
  objectKind?: ObjectKind;
  summary: string;
}

export interface PageRoute<P extends string = string> extends Declared {
  kind: "page";
  path: P;
  /** Parses the form or query, calls a service, renders; `c.req.param` knows the path's names. */
  handler: (c: Context<AppEnv, P>) => Response | Promise<Response>;
}

/** The OpenAPI operation's parts other than method, path, summary and input. */
export type ApiOperation = Omit<
  RouteConfig,
  "method" | "path" | "request" | "summary" | "middleware"
>;
/** The request schemas: `params`, `query`, `body` (as in `createRoute`'s `request`). */
export type ApiInput = NonNullable<RouteConfig["request"]>;

type RouteOf<I extends ApiInput, O extends ApiOperation> = O & {
  method: LowerMethod;
  path: string;
  request: I;
};

export interface ApiRoute<I extends ApiInput, O extends ApiOperation> extends Declared {
  kind: "api";
  /** Only a signed-in session may call it, never an API token (managing tokens). */
  sessionOnly?: true;
  /** Validated before the handler runs; read with `c.req.valid("json" | "param" | "query")`. */
  input?: I;
  /** Responses, tags, description and security for the OpenAPI document. */
  operation: O;
  handler: RouteHandler<RouteOf<I, O>, AppEnv>;
}

/** Route handlers that carry a declaration, so the access middleware finds it from the match. */
const declarations = new WeakMap<object, RouteSpec>();

function declarationMarker(spec: RouteSpec): MiddlewareHandler<AppEnv> {
  const marker: MiddlewareHandler<AppEnv> = async (_c, next) => {
    await next();
  };
  declarations.set(marker, spec);
  return marker;
}

function specOf(route: PageRoute | ApiRoute<ApiInput, ApiOperation>): RouteSpec {
  const spec: RouteSpec = {
    method: route.method,
    path: route.path,
    kind: route.kind,
    access: route.access,
    summary: route.summary,
  };
  if (route.objectParam !== undefined) spec.objectParam = route.objectParam;
  if (route.objectKind !== undefined) spec.objectKind = route.objectKind;
  if (route.kind === "api" && route.sessionOnly === true) spec.sessionOnly = true;
  return spec;
}

/** `/api/v1/jobs/:jobId` → `/api/v1/jobs/{jobId}` */
const openApiPath = (path: string) => path.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

export function defineRoute<P extends string>(
  app: OpenAPIHono<AppEnv>,
  routes: RouteTable,
  route: PageRoute<P>,
): void;
export function defineRoute<I extends ApiInput, O extends ApiOperation>(
  app: OpenAPIHono<AppEnv>,
  routes: RouteTable,
  route: ApiRoute<I, O>,
): void;
export function defineRoute(
  app: OpenAPIHono<AppEnv>,
  routes: RouteTable,
  route: PageRoute | ApiRoute<ApiInput, ApiOperation>,
): void {
  const spec = specOf(route);
  routes.add(spec);
  const marker = declarationMarker(spec);
  if (route.kind === "page") {
    app.on(
      route.method,
      route.path,
      marker,
      route.handler as (c: Context<AppEnv>) => Response | Promise<Response>,
    );
    return;
  }
  const config = createRoute({
    ...route.operation,
    method: route.method.toLowerCase() as LowerMethod,
    path: openApiPath(route.path),
    summary: route.summary,
    request: route.input ?? {},
    middleware: [marker],
  });
  app.openapi(config, route.handler as unknown as RouteHandler<typeof config, AppEnv>);
}

/**
 * The declaration of the route that will answer this request: among the handlers Hono matched
 * (middleware first), the first one declared with `defineRoute`; undefined when no declared
 * route matches (the request ends as not found).
 */
export function accessSpecFor(c: Context<AppEnv>): RouteSpec | undefined {
  for (const route of matchedRoutes(c)) {
    const declared = declarations.get(route.handler);
    if (declared !== undefined) return declared;
  }
  return undefined;
}
