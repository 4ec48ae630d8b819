/**
 * The operator's endpoints, outside the route table (they are infrastructure, not features, and
 * answer before sessions and API tokens are looked at):
 * - `GET /health`: 200 while the process answers HTTP; what a supervisor restarts on.
 * - `GET /ready`: 200 when the database answers and every migration is applied, else 503 with
 *   the reason; what a load balancer routes on.
 * - `GET /metrics`: Prometheus text. With METRICS_TOKEN set, only `Authorization: Bearer
 *   <METRICS_TOKEN>` reads it, from anywhere; unset, only requests from loopback that no proxy
 *   forwarded (no Forwarded or X-Forwarded-For header) do.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { matchedRoutes } from "hono/route";
import { constantTimeEqual } from "../accounts/tokens.js";
import type { AppEnv, WebDeps } from "./env.js";
import { isLoopbackHost } from "./pages/dev-pages.js";

/** The route pattern that answered (`/api/v1/jobs/:jobId`), or `unmatched` for a 404. */
export function routePatternOf(c: Context<AppEnv>): string {
  const answering = matchedRoutes(c).filter((route) => route.method !== "ALL");
  return answering.at(-1)?.path ?? "unmatched";
}

function remoteAddress(c: Context<AppEnv>): string | undefined {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
  return incoming?.socket?.remoteAddress;
}

function mayReadMetrics(c: Context<AppEnv>, token: string | undefined): boolean {
  if (token !== undefined) {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    return match !== null && constantTimeEqual(match[1] as string, token);
  }
  if (c.req.header("forwarded") !== undefined || c.req.header("x-forwarded-for") !== undefined) {
    return false;
  }
  // In-process requests (tests, `app.request`) have no socket: they come from this process.
  const address = remoteAddress(c);
  return address === undefined || isLoopbackHost(address.replace(/^::ffff:/, ""));
}

export function registerOperations(app: OpenAPIHono<AppEnv>, deps: WebDeps): void {
  app.get("/health", (c) => {
    c.header("Cache-Control", "no-store");
    return c.json({ status: "ok" });
  });
  app.get("/ready", async (c) => {
    c.header("Cache-Control", "no-store");
    const ready = await deps.operations.readiness();
    return ready.ready
      ? c.json({ status: "ready" })
      : c.json({ status: "unavailable", reason: ready.reason }, 503);
  });
  app.get("/metrics", async (c) => {
    c.header("Cache-Control", "no-store");
    const token = deps.operations.metricsToken;
    if (!mayReadMetrics(c, token)) {
      if (token !== undefined) c.header("WWW-Authenticate", 'Bearer realm="metrics"');
      return c.text(
        token === undefined
          ? "Metrics are served to loopback only; set METRICS_TOKEN to read them from elsewhere.\n"
          : "Send Authorization: Bearer <METRICS_TOKEN>.\n",
        token === undefined ? 403 : 401,
      );
    }
    const { contentType, body } = await deps.operations.metrics();
    return c.body(body, 200, { "Content-Type": contentType });
  });
}
