/**
 * The privacy module's own part of an erasure (erasure.ts): the audit trail keeps what was
 * done and when, but no longer by whom or from where when it was the erased person, nor any
 * mention of them (an invitation's entry names the address it was sent to).
 */
import { privacyDb } from "./db.js";
import {
  affected,
  type ErasureSubject,
  type ErasureTrx,
  type ModuleErasure,
  mentions,
  needlesOf,
} from "./erasure-subject.js";

async function erase(handle: ErasureTrx, subject: ErasureSubject) {
  const trx = privacyDb(handle);
  const needles = needlesOf(subject);
  const ids = [...subject.userIds, ...subject.candidateIds].map((id) => id.toLowerCase());
  // Entries of what they did: no longer by whom, nor from where.
  let byThem = trx.updateTable("audit_log").set({ actor_user_id: null, ip: null, target: null });
  byThem = byThem.where(
    "actor_user_id",
    "in",
    subject.userIds.length > 0 ? subject.userIds : ["(none)"],
  );
  // Entries of what others did to them (an invitation to their address): the actor stays.
  let aboutThem = trx
    .updateTable("audit_log")
    .set({ target: null })
    .where((eb) => mentions(eb, ["target"], [...needles, ...ids]));
  if (subject.orgId !== null) {
    byThem = byThem.where("organisation_id", "=", subject.orgId);
    aboutThem = aboutThem.where("organisation_id", "=", subject.orgId);
  }
  const anonymised =
    affected(await byThem.executeTakeFirst()) + affected(await aboutThem.executeTakeFirst());
  return { tables: { audit_log: { deleted: 0, anonymised } } };
}

/** The audit trail's erasure step. */
export const auditErasure: ModuleErasure = { module: "privacy", erase };
