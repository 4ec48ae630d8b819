/**
 * Each route declared once: method, path, kind, who may call it, the object it takes, its
 * input and its handler. From the one declaration come the router's registration, the route
 * table (from which the authorisation and bad-input tests are generated), the OpenAPI
 * operation of an API route, and the access rule, enforced for exactly the route Hono matched.
 *
 * Routes still declared the old way (`routes.add` beside a registration) keep working: the
 * access middleware matches them by path pattern until they are converted (`accessSpecFor`).
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
/** Every spec that came from a declaration (the rest are still added by hand). */
const declaredSpecs = new WeakSet<RouteSpec>();

function declarationMarker(spec: RouteSpec): MiddlewareHandler<AppEnv> {
  const marker: MiddlewareHandler<AppEnv> = async (_c, next) => {
    await next();
  };
  declarations.set(marker, spec);
  declaredSpecs.add(spec);
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

/** A Hono path (`/api/v1/jobs/:jobId`) as a regular expression over request paths. */
function pathPattern(path: string): RegExp {
  const escaped = path.replace(/[.*+?^$()|[\]\\]/g, "\\$&");
  return new RegExp(`^${escaped.replace(/:[A-Za-z0-9_]+/g, "[^/]+")}/?$`);
}

/** Per route table, its routes not yet declared with `defineRoute`, as patterns. */
const legacyPatterns = new WeakMap<RouteTable, Array<{ spec: RouteSpec; pattern: RegExp }>>();

function legacyRoutes(routes: RouteTable): Array<{ spec: RouteSpec; pattern: RegExp }> {
  let compiled = legacyPatterns.get(routes);
  if (compiled === undefined) {
    const params = (spec: RouteSpec) => (spec.path.match(/:/g) ?? []).length;
    compiled = routes.routes
      .filter((spec) => !declaredSpecs.has(spec))
      .map((spec) => ({ spec, pattern: pathPattern(spec.path) }))
      // Static paths win over parameters, as in the router (/app/jobs/new before /app/jobs/:jobId).
      .sort((x, y) => params(x.spec) - params(y.spec));
    legacyPatterns.set(routes, compiled);
  }
  return compiled;
}

/**
 * The declaration of the route that will answer this request: the first route handler Hono
 * matched, when it was declared with `defineRoute`. Routes not yet converted (registered
 * beside a `routes.add`) are found by path pattern.
 */
export function accessSpecFor(c: Context<AppEnv>, routes: RouteTable): RouteSpec | undefined {
  const first = matchedRoutes(c).find((r) => r.method !== "ALL");
  const declared = first === undefined ? undefined : declarations.get(first.handler);
  if (declared !== undefined) return declared;
  const method = c.req.method === "HEAD" ? "GET" : c.req.method;
  return legacyRoutes(routes).find((r) => r.spec.method === method && r.pattern.test(c.req.path))
    ?.spec;
}
