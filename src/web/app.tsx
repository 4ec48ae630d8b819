/**
 * The HTTP application: JSON API under /api/v1 (described at /api/openapi.json) and
 * server-rendered pages. Thin: parse, call a service, render. Cross-cutting rules live here:
 * security headers, who is calling (session cookie or API token), CSRF, and errors.
 */
import { randomUUID } from "node:crypto";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { contextStorage } from "hono/context-storage";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { HTTPException } from "hono/http-exception";
import { can } from "../accounts/permissions.js";
import type { IssuedSession } from "../accounts/service.js";
import { requireScope, scopeFor } from "../accounts/token-scopes.js";
import { constantTimeEqual, newSecretToken } from "../accounts/tokens.js";
import { AppError, forbidden } from "../errors.js";
import { databaseUnavailable } from "../store/database.js";
import { registerAccountsApi } from "./api/accounts-api.js";
import { registerBookingApi } from "./api/booking-api.js";
import { registerCalendarApi } from "./api/calendar-api.js";
import { registerHiringApi } from "./api/hiring-api.js";
import { registerJobsApi } from "./api/jobs-api.js";
import { registerTokensApi } from "./api/tokens-api.js";
import { BOOK_SCRIPT_SOURCE, STYLESHEET } from "./assets.js";
import { consentEdge } from "./consent-edge.js";
import { accessSpecFor } from "./define-route.js";
import type { AppEnv, WebDeps } from "./env.js";
import { type ErrorBody, HTTP_STATUS, toAppError } from "./errors.js";
import { Page } from "./layout.js";
import { registerOperations, routePatternOf } from "./operations.js";
import { registerAccountPages } from "./pages/account-pages.js";
import { registerAppPages } from "./pages/app-pages.js";
import { registerAssistantPages } from "./pages/assistant-pages.js";
import { BOOK_SCRIPT, registerBookPages } from "./pages/book-pages.js";
import { registerCalendarPages } from "./pages/calendar-pages.js";
import { registerConsentPages } from "./pages/consent-pages.js";
import { registerDevPages } from "./pages/dev-pages.js";
import { registerHiringPages } from "./pages/hiring-pages.js";
import { registerMailboxPages } from "./pages/mailbox-pages.js";
import { INBOUND_MAIL_PATH, registerMailboxWebhook } from "./pages/mailbox-webhook.js";
import { registerMarketingPages } from "./pages/marketing-pages.js";
import { policyAcceptanceGate, registerPrivacyPages } from "./pages/privacy-pages.js";
import { registerPrivacyRequestPages } from "./pages/privacy-request-pages.js";
import { registerPublicPages } from "./pages/public-pages.js";
import { registerRequestPages } from "./pages/request-pages.js";
import { registerRetentionPages } from "./pages/retention-pages.js";
import { registerSurveyPages } from "./pages/survey-pages.js";
import { registerTestimonialPages } from "./pages/testimonial-pages.js";
import { RouteTable } from "./route-table.js";

export const SESSION_COOKIE = "ally_session";
export const ANON_CSRF_COOKIE = "ally_csrf";

export function setSessionCookie(c: Context<AppEnv>, session: IssuedSession): void {
  const { config } = c.get("deps");
  setCookie(c, SESSION_COOKIE, session.token, {
    httpOnly: true,
    secure: config.http.secureCookies,
    sameSite: "Lax",
    path: "/",
    expires: new Date(session.expiresAt),
  });
}

export function clearSessionCookie(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/" });
}

function clientIp(c: Context<AppEnv>): string {
  const incoming = (c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)
    ?.incoming;
  return incoming?.socket?.remoteAddress ?? "127.0.0.1";
}

/** An X-Request-Id Ally keeps: short, of characters safe in a log line. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** Routes hit by load balancers, supervisors and scrapers. */
const PROBES = new Set(["/health", "/ready", "/metrics"]);

const UNSAFE = new Set(["POST", "PUT", "PATCH", "DELETE"]);

export interface AllyApp {
  app: OpenAPIHono<AppEnv>;
  routes: RouteTable;
}

export function createApp(deps: WebDeps): AllyApp {
  const app = new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) {
        const issue = result.error.issues[0];
        const field = issue?.path.join(".") ?? "";
        if (field === "" && result.target === "json") {
          // The body as a whole is wrong (an array, null, a string): say so, naming it.
          throw new AppError("VALIDATION_FAILED", "The request body must be a JSON object.", {
            field: "body",
          });
        }
        throw new AppError("VALIDATION_FAILED", issue?.message ?? "invalid input", {
          field: field || undefined,
        });
      }
    },
  });
  const routes = new RouteTable();

  // The page frame reads this request's context (the cookie banner) without every page passing it.
  app.use("*", contextStorage());

  useRequestLog(app, deps);
  useSecurityHeaders(app);

  registerOperations(app, deps);

  useCaller(app, deps);
  // The visitor's cookie choice and GPC signal; page views counted with analytics consent only.
  app.use("*", consentEdge);
  useAccessRules(app);
  useCsrfCheck(app, deps);

  app.get("/assets/app.css", (c) => {
    c.header("Cache-Control", "public, max-age=3600");
    return c.body(STYLESHEET, 200, { "Content-Type": "text/css; charset=utf-8" });
  });
  app.get(BOOK_SCRIPT, (c) => {
    c.header("Cache-Control", "public, max-age=3600");
    return c.body(BOOK_SCRIPT_SOURCE, 200, {
      "Content-Type": "text/javascript; charset=utf-8",
    });
  });

  app.use("/app/*", policyAcceptanceGate);
  app.use("/app", policyAcceptanceGate);
  registerPublicPages(app, routes);
  registerPrivacyPages(app, routes);
  registerConsentPages(app, routes);
  registerAccountPages(app, routes);
  registerAppPages(app, routes);
  registerAssistantPages(app, routes);
  registerRetentionPages(app, routes);
  registerHiringPages(app, routes);
  registerCalendarPages(app, routes);
  registerBookPages(app, routes);
  registerRequestPages(app, routes);
  registerPrivacyRequestPages(app, routes);
  registerSurveyPages(app, routes);
  registerDevPages(app, routes);
  registerMailboxPages(app, routes);
  registerMailboxWebhook(app, routes);
  registerTestimonialPages(app, routes);
  registerMarketingPages(app, routes);
  registerAccountsApi(app, routes);
  registerTokensApi(app, routes);
  registerHiringApi(app, routes);
  registerCalendarApi(app, routes);
  registerBookingApi(app, routes);
  registerJobsApi(app, routes);

  app.doc31("/api/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Ally API",
      version: "1",
      description:
        "Ally's JSON API. Authenticate with `Authorization: Bearer <API token>` (create one under Account → API tokens). Errors are `{ error: { code, message, field? } }`.",
    },
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "mailboxBasic", {
    type: "http",
    scheme: "basic",
    description: "A webhook mailbox's id and key (or X-Ally-Mailbox with X-Ally-Signature)",
  });

  answerMissingAndFailed(app, deps);

  return { app, routes };
}

/**
 * Every request: an id (the caller's valid X-Request-Id, or a new one), sent back, and one
 * log line and one timing by route pattern once answered. Never the path or query: they may
 * carry a booking link's or a sign-in link's token.
 */
function useRequestLog(app: OpenAPIHono<AppEnv>, deps: WebDeps): void {
  app.use("*", async (c, next) => {
    const startedAt = performance.now();
    const incoming = c.req.header("x-request-id");
    const requestId = incoming !== undefined && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set("requestId", requestId);
    await next();
    c.header("X-Request-Id", requestId);
    const durationSeconds = (performance.now() - startedAt) / 1000;
    const route = routePatternOf(c);
    const status = c.res.status;
    deps.operations.recordRequest({ method: c.req.method, route, status, durationSeconds });
    // Probes and scrapes come every few seconds: logged only at debug.
    const level = PROBES.has(route) ? "debug" : "info";
    deps.log[level](
      {
        requestId,
        method: c.req.method,
        route,
        status,
        durationMs: Math.round(durationSeconds * 10_000) / 10,
      },
      "request",
    );
  });
}

/**
 * Security headers on every response. No scripts, so the policy forbids them, except on the
 * candidate's booking pages, which may run one same-origin file (they work without it).
 */
function useSecurityHeaders(app: OpenAPIHono<AppEnv>): void {
  app.use("*", async (c, next) => {
    await next();
    const scripts = c.req.path.startsWith("/book/") ? "'self'" : "'none'";
    c.header(
      "Content-Security-Policy",
      `default-src 'self'; script-src ${scripts}; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    );
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "same-origin");
    c.header("X-Frame-Options", "DENY");
  });
}

/** Who is calling: a bearer API token, or a session cookie. */
function useCaller(app: OpenAPIHono<AppEnv>, deps: WebDeps): void {
  app.use("*", async (c, next) => {
    c.set("deps", deps);
    c.set("meta", { ip: clientIp(c), userAgent: c.req.header("user-agent") ?? "" });
    c.set("actor", undefined);
    c.set("session", undefined);
    const api = c.req.path.startsWith("/api/");
    const authorization = c.req.header("authorization");
    if (authorization !== undefined && !api && /^Bearer\s/i.test(authorization)) {
      // Tokens are for programs calling the API; pages (and their forms, which change accounts)
      // answer only to a signed-in session with its CSRF token.
      throw new AppError(
        "FORBIDDEN",
        "API tokens work only with the API under /api/v1. Sign in to use Ally's pages.",
      );
    }
    // Outside the API another scheme (a proxy's Basic auth in front of Ally) is not ours to judge.
    // A mail provider posting to the inbound webhook authenticates as a mailbox, not a member.
    const mailboxBasic = c.req.path === INBOUND_MAIL_PATH && /^Basic\s/i.test(authorization ?? "");
    if (authorization !== undefined && api && !mailboxBasic) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      const actor = match
        ? await deps.accounts.authenticateApiToken(match[1] as string)
        : undefined;
      if (actor === undefined)
        throw new AppError("UNAUTHENTICATED", "The API token is missing, malformed or revoked.");
      c.set("actor", actor);
      c.set("csrfToken", "");
      return next();
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    const session = cookie === undefined ? undefined : await deps.accounts.session(cookie);
    if (session !== undefined) {
      c.set("session", session);
      if (!session.pendingSecondFactor) c.set("actor", session.actor);
      c.set("csrfToken", session.csrfToken);
    } else {
      // Anonymous forms: a double-submit token in a strict cookie.
      let anonymous = getCookie(c, ANON_CSRF_COOKIE);
      if (anonymous === undefined || anonymous.length < 32) {
        anonymous = newSecretToken();
        setCookie(c, ANON_CSRF_COOKIE, anonymous, {
          httpOnly: true,
          secure: deps.config.http.secureCookies,
          sameSite: "Lax",
          path: "/",
        });
      }
      c.set("csrfToken", anonymous);
    }
    return next();
  });
}

/**
 * The route table's access rule, enforced before any input is read: callers who may not use
 * a route learn nothing from its validation. Services check permissions again.
 */
function useAccessRules(app: OpenAPIHono<AppEnv>): void {
  app.use("*", async (c, next) => {
    const spec = accessSpecFor(c);
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const actor = c.get("actor");
    if (spec !== undefined && actor?.via === "api-token") {
      if (spec.kind !== "api" || spec.sessionOnly === true) {
        throw new AppError(
          "FORBIDDEN",
          "API tokens cannot do this: sign in to Ally and do it on your account page.",
        );
      }
      requireScope(actor, scopeFor(method));
    }
    if (spec === undefined || spec.access === "public") return next();
    if (actor === undefined) {
      throw new AppError(
        "UNAUTHENTICATED",
        spec.kind === "api"
          ? "Send an API token: Authorization: Bearer <token>."
          : "Sign in to continue.",
      );
    }
    if (typeof spec.access === "object" && !can(actor.role, spec.access.permission)) {
      throw forbidden();
    }
    return next();
  });
}

/**
 * CSRF: state-changing requests carried by a cookie must echo the token (form field or
 * X-CSRF-Token header) and, when the browser says where they come from (Origin, else
 * Sec-Fetch-Site), be same-origin.
 */
function useCsrfCheck(app: OpenAPIHono<AppEnv>, deps: WebDeps): void {
  const publicOrigin = new URL(deps.config.http.publicUrl).origin;
  app.use("*", async (c, next) => {
    if (!UNSAFE.has(c.req.method) || c.get("actor")?.via === "api-token") return next();
    // RFC 8058: a mail client POSTs the one-click unsubscribe from anywhere, with no cookie; the
    // signed token in the path is the credential, and unsubscribing is what it may only do.
    if (/^\/u\/[^/]+$/.test(c.req.path)) return next();
    // An API call without a session cookie carries no ambient credential to forge: it is
    // answered as unauthenticated (401) by the route, not as a failed form (403).
    if (c.req.path.startsWith("/api/") && c.get("session") === undefined) return next();
    const origin = c.req.header("origin");
    // RFC 6454: browsers send Origin on cross-origin and most same-origin POSTs; "null" is an
    // opaque origin (a sandboxed frame, a data: page), never ours.
    if (origin !== undefined && origin !== publicOrigin && origin !== new URL(c.req.url).origin) {
      throw new AppError("CSRF_FAILED", "Cross-origin request refused.");
    }
    const site = c.req.header("sec-fetch-site");
    if (site !== undefined && site !== "same-origin" && site !== "none") {
      throw new AppError("CSRF_FAILED", "Cross-site request refused.");
    }
    // A candidate's booking forms carry a token bound to their link instead of a cookie's; the
    // page checks it (book-pages.tsx).
    if (c.req.path.startsWith("/book/")) return next();
    let sent = c.req.header("x-csrf-token");
    if (sent === undefined) {
      const type = c.req.header("content-type") ?? "";
      if (
        type.includes("application/x-www-form-urlencoded") ||
        type.includes("multipart/form-data")
      ) {
        const body = await c.req.parseBody();
        const field = body._csrf;
        sent = typeof field === "string" ? field : undefined;
      }
    }
    if (sent === undefined || !constantTimeEqual(sent, c.get("csrfToken"))) {
      throw new AppError(
        "CSRF_FAILED",
        "The form has expired. Go back, reload the page and try again.",
      );
    }
    return next();
  });
}

/** Pages and API answers for an unknown address, and for every error a route throws. */
function answerMissingAndFailed(app: OpenAPIHono<AppEnv>, deps: WebDeps): void {
  app.notFound((c) => {
    if (c.req.path.startsWith("/api/")) {
      return c.json<ErrorBody>({ error: { code: "NOT_FOUND", message: "No such endpoint." } }, 404);
    }
    return c.html(
      <Page title="Not found" session={c.get("session")} csrfToken={c.get("csrfToken")} narrow>
        <h1>Page not found</h1>
        <p>
          There is nothing at this address. <a href="/">Go to the start page</a>.
        </p>
      </Page>,
      404,
    );
  });

  app.onError((thrown, c) => {
    // A lost database connection fails this request alone, with a status that invites a retry.
    const error = databaseUnavailable(thrown) ?? toAppError(thrown);
    if (error instanceof AppError && error.code === "DATABASE_UNAVAILABLE") {
      c.header("Retry-After", "5");
    }
    const api = c.req.path.startsWith("/api/");
    if (error instanceof AppError) {
      const status = HTTP_STATUS[error.code];
      const retryAfter = error.detail?.retryAfterSeconds;
      if (typeof retryAfter === "number") c.header("Retry-After", String(retryAfter));
      if (api) {
        const body: ErrorBody = { error: { code: error.code, message: error.message } };
        if (error.field !== undefined) body.error.field = error.field;
        if (error.detail !== undefined) body.error.detail = error.detail;
        return c.json(body, status);
      }
      if (error.code === "UNAUTHENTICATED") {
        return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
      }
      return c.html(
        <Page
          title="Something is not right"
          session={c.get("session")}
          csrfToken={c.get("csrfToken")}
          narrow
        >
          <h1>
            {error.code === "NOT_FOUND"
              ? "Not found"
              : error.code === "FORBIDDEN"
                ? "Not allowed"
                : "Something is not right"}
          </h1>
          <p>{error.message}</p>
          <p>
            <a href={c.get("actor") ? "/app" : "/"}>Back to the start</a>
          </p>
        </Page>,
        status,
      );
    }
    if (error instanceof HTTPException) {
      // Hono's own refusals: malformed JSON (400) or a body that is not JSON (415).
      if (api && (error.status === 400 || error.status === 415)) {
        const message =
          error.status === 415
            ? "Send the request body as JSON, with Content-Type: application/json."
            : "The request body is not valid JSON.";
        return c.json<ErrorBody>(
          { error: { code: "VALIDATION_FAILED", message, field: "body" } },
          HTTP_STATUS.VALIDATION_FAILED,
        );
      }
      return error.getResponse();
    }
    // A bug or broken infrastructure: log it, never show its details.
    deps.log.error(
      { requestId: c.get("requestId"), method: c.req.method, route: routePatternOf(c), err: error },
      "request failed",
    );
    if (api) {
      return c.json<ErrorBody>(
        { error: { code: "INTERNAL", message: "Something went wrong on our side." } },
        500,
      );
    }
    return c.html(
      <Page title="Error" narrow>
        <h1>Something went wrong on our side</h1>
        <p>Please try again in a moment.</p>
      </Page>,
      500,
    );
  });
}
