/**
 * Every route Ally serves, with who may call it. The authorisation tests are generated from
 * this table, so a new route cannot escape them: a route that takes an object id names the
 * parameter, and the tests check that members of other organisations get a 404. API tokens
 * reach API routes only, within their scopes (accounts/token-scopes.ts).
 *
 * Routes are declared once with `defineRoute` (define-route.ts), which adds them here.
 */
import type { Permission } from "../accounts/permissions.js";

export type Access =
  | "public" // anyone
  | "member" // any signed-in member of the organisation
  | { permission: Permission };

export type ObjectKind =
  | "job"
  | "candidate"
  | "pool"
  | "loop-template"
  | "member"
  | "api-token"
  | "calendar-connection"
  /** A candidate's signed link (public routes: the link itself is the credential). */
  | "booking-link"
  /** A candidate's signed survey link (public routes: the link itself is the credential). */
  | "survey-link"
  | "interview-request"
  /** Work a queue gave up on (jobs/lease-queue.ts), named `QUEUE.ID`. */
  | "dead-job"
  | "testimonial"
  /** A person's signed link to their testimonial (public routes: the link is the credential). */
  | "testimonial-link"
  /** A promotional list (marketing/); its sign-up page is public. */
  | "marketing-list"
  /** Signed links in marketing mail: confirming a subscription, unsubscribing, the open beacon. */
  | "marketing-confirmation"
  | "unsubscribe-link"
  | "open-beacon";

export interface RouteSpec {
  method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Hono path, e.g. `/api/v1/jobs/:jobId`. */
  path: string;
  kind: "page" | "api";
  access: Access;
  /** The path parameter naming an organisation's object, when the route takes one. */
  objectParam?: string;
  objectKind?: ObjectKind;
  /**
   * An API route only a signed-in session (with its CSRF token) may call, never an API token:
   * managing tokens. Page routes are always session-only.
   */
  sessionOnly?: true;
  summary: string;
}

export class RouteTable {
  readonly routes: RouteSpec[] = [];
  add(spec: RouteSpec): void {
    this.routes.push(spec);
  }
}
