/**
 * First-party usage analytics: one row per page view, written only for a visitor whose consent
 * says yes to analytics (the web edge checks it), and the reports drawn from them. A row keeps
 * the page's route (ids as names, no query string), the time, browser, system and device class
 * (never the User-Agent), the referring host (never its path) and the IP's network prefix.
 *
 * Two scopes: the operator's (views of public pages by visitors not signed in: Ally's own
 * site) and an organisation's (its own members' views while signed in). A report reads one
 * scope only.
 */
import { sql } from "kysely";
import type { OrgId } from "../ids.js";
import { type AnyHandle, consentDb } from "./db.js";
import { truncateIp } from "./ip.js";
import { parseUserAgent } from "./user-agent.js";

export interface PageView {
  /** The route pattern that answered (`/app/jobs/:jobId`). */
  path: string;
  visitedAtMs: number;
  userAgent: string;
  /** The Referer header as sent, or undefined. */
  referrer: string | undefined;
  /** Ally's own host: a referrer on it is navigation inside Ally, not a referring site. */
  ownHost: string;
  ip: string;
  visitorId: string;
  /** The signed-in member and their organisation, else null. */
  userId: string | null;
  organisationId: string | null;
}

/** The referring site's host, lower case, or null for none, Ally itself, or something unreadable. */
export function referrerHost(referrer: string | undefined, ownHost: string): string | null {
  if (referrer === undefined || referrer === "") return null;
  try {
    const url = new URL(referrer);
    if (url.protocol !== "http:" && url.protocol !== "https:") return null;
    const host = url.hostname.toLowerCase();
    return host === ownHost.toLowerCase() ? null : host;
  } catch {
    return null;
  }
}

/** A route with any query string taken off, and segments that look like ids or tokens named. */
export function normalisePath(path: string): string {
  const bare = path.split(/[?#]/)[0] ?? "/";
  return bare
    .split("/")
    .map((segment) =>
      /^\d+$/.test(segment) ||
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(segment) ||
      /^[a-z]{1,6}_[A-Za-z0-9_-]{8,}$/.test(segment) ||
      /^[A-Za-z0-9_-]{20,}$/.test(segment)
        ? ":id"
        : segment,
    )
    .join("/")
    .slice(0, 200);
}

/** Counts one page view. The caller has checked the visitor's analytics consent. */
export async function recordPageView(handle: AnyHandle, view: PageView): Promise<void> {
  const facts = parseUserAgent(view.userAgent);
  await consentDb(handle)
    .insertInto("page_views")
    .values({
      visited_at: view.visitedAtMs,
      path: normalisePath(view.path),
      browser: facts.browser,
      os: facts.os,
      device: facts.device,
      referrer_host: referrerHost(view.referrer, view.ownHost),
      ip_prefix: truncateIp(view.ip),
      visitor_id: view.visitorId,
      user_id: view.userId,
      organisation_id: view.organisationId,
    })
    .execute();
}

/** Whose usage: the operator's public site, or one organisation's members. */
export type UsageScope = { kind: "operator" } | { kind: "organisation"; orgId: OrgId };

export interface Count {
  label: string;
  count: number;
}

export interface UsageReport {
  /** One entry per UTC day of the range, oldest first, days without views included. */
  perDay: Array<{ day: string; views: number; visitors: number }>;
  topPages: Count[];
  referrers: Count[];
  browsers: Count[];
  systems: Count[];
  devices: Count[];
  totalViews: number;
}

const DAY_MS = 86_400_000;
const TOP = 10;

/**
 * The report for `scope` over the `days` UTC days ending with the one holding `nowMs`.
 * @example await usageReport(db, { kind: "organisation", orgId }, now, 30) // { perDay: [30 days], topPages: [...], … }
 */
export async function usageReport(
  handle: AnyHandle,
  scope: UsageScope,
  nowMs: number,
  days: number,
): Promise<UsageReport> {
  const db = consentDb(handle);
  const lastDayStart = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const fromMs = lastDayStart - (days - 1) * DAY_MS;
  const scoped = () => {
    const base = db
      .selectFrom("page_views")
      .where("visited_at", ">=", fromMs)
      .where("visited_at", "<", lastDayStart + DAY_MS);
    return scope.kind === "operator"
      ? base.where("organisation_id", "is", null)
      : base.where("organisation_id", "=", scope.orgId);
  };
  const dayExpr = sql<number>`(visited_at / ${sql.lit(DAY_MS)})`;
  const dayRows = await scoped()
    .select([
      dayExpr.as("day"),
      (eb) => eb.fn.countAll<number>().as("views"),
      (eb) => eb.fn.count<number>("visitor_id").distinct().as("visitors"),
    ])
    .groupBy(dayExpr)
    .execute();
  const byDay = new Map(dayRows.map((r) => [Math.floor(Number(r.day)), r]));
  const perDay = Array.from({ length: days }, (_, i) => {
    const start = fromMs + i * DAY_MS;
    const row = byDay.get(start / DAY_MS);
    return {
      day: new Date(start).toISOString().slice(0, 10),
      views: Number(row?.views ?? 0),
      visitors: Number(row?.visitors ?? 0),
    };
  });
  const top = async (column: "path" | "referrer_host" | "browser" | "os" | "device") => {
    const rows = await scoped()
      .select([
        sql<string | null>`${sql.ref(column)}`.as("label"),
        (eb) => eb.fn.countAll<number>().as("count"),
      ])
      .where(column, "is not", null)
      .groupBy(column)
      .orderBy("count", "desc")
      .orderBy(column)
      .limit(TOP)
      .execute();
    return rows.map((r) => ({ label: String(r.label), count: Number(r.count) }));
  };
  return {
    perDay,
    topPages: await top("path"),
    referrers: await top("referrer_host"),
    browsers: await top("browser"),
    systems: await top("os"),
    devices: await top("device"),
    totalViews: perDay.reduce((sum, d) => sum + d.views, 0),
  };
}
