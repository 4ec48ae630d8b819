/**
 * The mail module's part of erasing a closed organisation (accounts/org-closure.ts), done by
 * the module itself in the closing's transaction: received mail that answered the
 * organisation's messages or was sent to its mailboxes (received mail carries no organisation:
 * it is found through those), the organisation's outbox, and its mailbox connections with their
 * sealed credentials. Once that has committed, the sent messages' `.eml` files go too.
 */
import { rm } from "node:fs/promises";
import { resolve } from "node:path";
import type { OrgId } from "../ids.js";
import { mentions } from "../privacy/erasure-subject.js";
import { type AnyHandle, mailDb } from "./db.js";

/**
 * Deletes the organisation's mail.
 * @example
 *   const { tables, afterCommit } = await eraseMailOfOrganisation(trx, orgId);
 *   // { inbound_mail: 2, outbox: 9, mailbox_connections: 1 }; after commit: await afterCommit()
 */
export async function eraseMailOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number>; afterCommit: () => Promise<{ files: number }> }> {
  const db = mailDb(handle);
  const mailboxes = await db
    .selectFrom("mailbox_connections")
    .select("address")
    .where("organisation_id", "=", orgId)
    .execute();
  const addresses = mailboxes.map((m) => m.address.toLowerCase());
  const sentIds = db.selectFrom("outbox").select("message_id").where("organisation_id", "=", orgId);
  const inbound = await db
    .deleteFrom("inbound_mail")
    .where((eb) =>
      eb.or([
        eb("in_reply_to", "in", sentIds),
        ...(addresses.length === 0 ? [] : [mentions(eb, ["envelope_to"], addresses)]),
      ]),
    )
    .executeTakeFirst();
  const sent = await db
    .selectFrom("outbox")
    .select("file_path")
    .where("organisation_id", "=", orgId)
    .execute();
  const outbox = await db
    .deleteFrom("outbox")
    .where("organisation_id", "=", orgId)
    .executeTakeFirst();
  const connections = await db
    .deleteFrom("mailbox_connections")
    .where("organisation_id", "=", orgId)
    .executeTakeFirst();
  const files = sent.flatMap((r) => (r.file_path === null ? [] : [resolve(r.file_path)]));
  return {
    tables: {
      inbound_mail: Number(inbound.numDeletedRows),
      outbox: Number(outbox.numDeletedRows),
      mailbox_connections: Number(connections.numDeletedRows),
    },
    afterCommit: async () => {
      let removed = 0;
      for (const file of new Set(files)) {
        const existed = await rm(file).then(
          () => true,
          () => false,
        );
        if (existed) removed += 1;
      }
      return { files: removed };
    },
  };
}
