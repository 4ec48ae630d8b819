/**
 * The consent module's part of an erasure (privacy/erasure.ts) and of a closed organisation's.
 *
 * A person erased from all of Ally loses every consent record and page view linked to their
 * account, and those of every browser (visitor id) they were seen signed in with, since a
 * visitor id in a signed-in member's rows identifies them. An erasure for one organisation
 * removes that organisation's page views of the person. A closed organisation's page views go
 * with it; consent records belong to the visitor, not to an organisation, and stay.
 */
import type { OrgId } from "../ids.js";
import { affected, type ErasureSubject, type ModuleErasure } from "../privacy/erasure-subject.js";
import { type AnyHandle, consentDb } from "./db.js";

/** The visitor ids the members' own rows tie to them. */
async function visitorsOf(handle: AnyHandle, userIds: readonly string[]): Promise<string[]> {
  if (userIds.length === 0) return [];
  const db = consentDb(handle);
  const fromRecords = await db
    .selectFrom("consent_records")
    .select("visitor_id")
    .where("user_id", "in", userIds)
    .execute();
  const fromViews = await db
    .selectFrom("page_views")
    .select("visitor_id")
    .where("user_id", "in", userIds)
    .execute();
  return [...new Set([...fromRecords, ...fromViews].map((r) => r.visitor_id))];
}

async function erase(handle: AnyHandle, subject: ErasureSubject) {
  const db = consentDb(handle);
  if (subject.userIds.length === 0) {
    return { tables: { consent_records: none(), page_views: none() } };
  }
  if (subject.orgId !== null) {
    const views = affected(
      await db
        .deleteFrom("page_views")
        .where("organisation_id", "=", subject.orgId)
        .where("user_id", "in", subject.userIds)
        .executeTakeFirst(),
    );
    return { tables: { consent_records: none(), page_views: { deleted: views, anonymised: 0 } } };
  }
  const visitors = await visitorsOf(handle, subject.userIds);
  const byPerson = (table: "consent_records" | "page_views") =>
    db
      .deleteFrom(table)
      .where((eb) =>
        visitors.length === 0
          ? eb("user_id", "in", subject.userIds)
          : eb.or([eb("user_id", "in", subject.userIds), eb("visitor_id", "in", visitors)]),
      )
      .executeTakeFirst();
  const records = affected(await byPerson("consent_records"));
  const views = affected(await byPerson("page_views"));
  return {
    tables: {
      consent_records: { deleted: records, anonymised: 0 },
      page_views: { deleted: views, anonymised: 0 },
    },
  };
}

function none() {
  return { deleted: 0, anonymised: 0 };
}

/** The consent module's erasure step (after accounts, which identifies the person's account). */
export const consentErasure: ModuleErasure = { module: "consent", erase };

/**
 * Deletes a closed organisation's page views (its members' usage).
 * @example await eraseConsentOfOrganisation(trx, orgId) // { tables: { page_views: 120 } }
 */
export async function eraseConsentOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  const result = await consentDb(handle)
    .deleteFrom("page_views")
    .where("organisation_id", "=", orgId)
    .executeTakeFirst();
  return { tables: { page_views: Number(result.numDeletedRows) } };
}

/**
 * What the module holds about a member (access and portability): their consent records and
 * page views, by their account and the browsers they used signed in.
 * @example await consentPersonRecords(db, ["usr_1"]) // { consents: [...], pageViews: [...] }
 */
export async function consentPersonRecords(
  handle: AnyHandle,
  userIds: readonly string[],
): Promise<{
  consents: Array<Record<string, unknown>>;
  pageViews: Array<Record<string, unknown>>;
}> {
  const visitors = await visitorsOf(handle, userIds);
  if (visitors.length === 0 && userIds.length === 0) return { consents: [], pageViews: [] };
  const db = consentDb(handle);
  const iso = (ms: number | null) => (ms === null ? null : new Date(Number(ms)).toISOString());
  const consents = await db
    .selectFrom("consent_records")
    .selectAll()
    .where((eb) =>
      visitors.length === 0
        ? eb("user_id", "in", userIds)
        : eb.or([eb("user_id", "in", userIds), eb("visitor_id", "in", visitors)]),
    )
    .orderBy("recorded_at")
    .execute();
  const views = await db
    .selectFrom("page_views")
    .selectAll()
    .where((eb) =>
      visitors.length === 0
        ? eb("user_id", "in", userIds)
        : eb.or([eb("user_id", "in", userIds), eb("visitor_id", "in", visitors)]),
    )
    .orderBy("visited_at")
    .execute();
  return {
    consents: consents.map((r) => ({
      noticeVersion: Number(r.notice_version),
      analytics: Number(r.analytics) === 1,
      marketing: Number(r.marketing) === 1,
      method: r.method,
      recordedAt: iso(r.recorded_at),
      replacedAt: iso(r.replaced_at),
      network: r.ip_prefix,
      browserId: r.visitor_id,
    })),
    pageViews: views.map((r) => ({
      page: r.path,
      visitedAt: iso(r.visited_at),
      browser: r.browser,
      system: r.os,
      device: r.device,
      referrer: r.referrer_host,
      network: r.ip_prefix,
      browserId: r.visitor_id,
    })),
  };
}
