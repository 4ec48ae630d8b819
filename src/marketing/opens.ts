/**
 * Email open beacons: a 1×1 image whose URL is signed per delivery (one recipient, one
 * message). Only promotional mail to a recipient with recorded marketing consent carries one
 * (send.ts); transactional mail never does. An open is kept as the hour it first happened and
 * nothing else: no IP address, no user agent, no later opens.
 */
import { type AnyHandle, marketingDb } from "./db.js";
import type { MarketingKeys } from "./keys.js";

const HOUR_MS = 3_600_000;

/** A transparent 1×1 GIF. */
export const BEACON_GIF = Buffer.from(
  "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7",
  "base64",
);

/** Records the first open of the delivery the token names; anything else is ignored. */
export async function recordOpen(
  handle: AnyHandle,
  keys: MarketingKeys,
  token: string,
  now: number,
): Promise<boolean> {
  const [deliveryId] = keys.verify("o", token.replace(/\.gif$/, "")) ?? [];
  if (deliveryId === undefined) return false;
  const db = marketingDb(handle);
  const delivery = await db
    .selectFrom("marketing_deliveries")
    .select(["id", "organisation_id", "message_id"])
    .where("id", "=", deliveryId)
    .executeTakeFirst();
  if (delivery === undefined) return false;
  await db
    .insertInto("marketing_opens")
    .values({
      organisation_id: delivery.organisation_id,
      message_id: delivery.message_id,
      delivery_id: delivery.id,
      opened_hour: Math.floor(now / HOUR_MS) * HOUR_MS,
    })
    .onConflict((oc) => oc.column("delivery_id").doNothing())
    .execute();
  return true;
}
