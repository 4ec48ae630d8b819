/**
 * The privacy module's own part of an erasure (erasure.ts): the audit trail keeps what was
 * done and when, but no longer by whom or from where when it was the erased person, nor any
 * mention of them (an invitation's entry names the address it was sent to).
 */
import {
  affected,
  type ErasureSubject,
  type ErasureTrx,
  type ModuleErasure,
  mentions,
  needlesOf,
} from "./erasure-subject.js";

async function erase(trx: ErasureTrx, subject: ErasureSubject) {
  const needles = needlesOf(subject);
  const ids = [...subject.userIds, ...subject.candidateIds];
  let query = trx
    .updateTable("audit_log")
    .set({ actor_user_id: null, target: null, ip: null })
    .where((eb) =>
      eb.or([
        ...(subject.userIds.length > 0 ? [eb("actor_user_id", "in", subject.userIds)] : []),
        mentions(eb, ["target"], [...needles, ...ids.map((id) => id.toLowerCase())]),
      ]),
    );
  if (subject.orgId !== null) query = query.where("organisation_id", "=", subject.orgId);
  const anonymised = affected(await query.executeTakeFirst());
  return { tables: { audit_log: { deleted: 0, anonymised } } };
}

/** The audit trail's erasure step. */
export const auditErasure: ModuleErasure = { module: "privacy", erase };
