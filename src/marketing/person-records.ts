/**
 * What the marketing module holds about one person, for their access package: their
 * subscriptions in the controller's scope (an organisation's lists, or the operator's: null),
 * with how and when their consent was given, the promotional messages queued to them and
 * whether they opened them (the hour), and whether their address is on the suppression list.
 */
import { type AnyHandle, marketingDb } from "./db.js";
import type { MarketingKeys } from "./keys.js";
import { inScope, scopeOfRow } from "./scope.js";

const isoOf = (ms: number | string | null) =>
  ms === null ? null : new Date(Number(ms)).toISOString();

export async function marketingRecords(
  handle: AnyHandle,
  keys: MarketingKeys,
  email: string,
  organisationId: string | null,
): Promise<Array<Record<string, unknown>>> {
  const db = marketingDb(handle);
  const scope = scopeOfRow(organisationId);
  const hashes = keys.addressHashes(email);
  const subscriptions = await db
    .selectFrom("marketing_subscribers")
    .innerJoin("marketing_lists", "marketing_lists.id", "marketing_subscribers.list_id")
    .select([
      "marketing_subscribers.id",
      "marketing_lists.name as list_name",
      "marketing_subscribers.email",
      "marketing_subscribers.name",
      "marketing_subscribers.consent_method",
      "marketing_subscribers.consent_source",
      "marketing_subscribers.consent_at",
      "marketing_subscribers.confirmed_at",
    ])
    .where(inScope(scope, "marketing_subscribers"))
    .where("marketing_subscribers.email_hash", "in", hashes)
    .orderBy("marketing_subscribers.created_at")
    .execute();
  const records: Array<Record<string, unknown>> = [];
  for (const s of subscriptions) {
    const deliveries = await db
      .selectFrom("marketing_deliveries")
      .innerJoin("marketing_messages", "marketing_messages.id", "marketing_deliveries.message_id")
      .leftJoin("marketing_opens", "marketing_opens.delivery_id", "marketing_deliveries.id")
      .select([
        "marketing_messages.subject",
        "marketing_deliveries.status",
        "marketing_deliveries.queued_at",
        "marketing_opens.opened_hour",
      ])
      .where("marketing_deliveries.subscriber_id", "=", s.id)
      .orderBy("marketing_deliveries.created_at")
      .execute();
    records.push({
      list: s.list_name,
      email: s.email,
      name: s.name,
      consentMethod: s.consent_method,
      consentSource: s.consent_source,
      consentAt: isoOf(s.consent_at),
      confirmedAt: isoOf(s.confirmed_at),
      messages: deliveries.map((d) => ({
        subject: d.subject,
        status: d.status,
        queuedAt: isoOf(d.queued_at),
        openedInHour: isoOf(d.opened_hour),
      })),
    });
  }
  const suppressions = await db
    .selectFrom("marketing_suppressions")
    .select(["method", "created_at"])
    .where(inScope(scope))
    .where("email_hash", "in", hashes)
    .execute();
  for (const s of suppressions) {
    records.push({
      optedOut: true,
      method: s.method,
      at: isoOf(s.created_at),
      note: "Only a keyed hash of your address is kept, so that no promotional email reaches it again.",
    });
  }
  return records;
}
