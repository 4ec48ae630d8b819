/**
 * An organisation's own retention limits, where the customer is the controller: how many months
 * after closing its interview requests' candidates are erased. No row: the default
 * (`DEFAULT_CLOSED_REQUESTS_MONTHS`, 24 months). Changed by an admin; the change is audited.
 */
import { z } from "zod";
import { requirePermission } from "../accounts/permissions.js";
import type { Actor } from "../accounts/types.js";
import { invalid } from "../errors.js";
import { recordAudit } from "../privacy/audit-log.js";
import { DEFAULT_CLOSED_REQUESTS_MONTHS } from "../privacy/retention-limits.js";
import { type AnyHandle, retentionDb } from "./db.js";

/** The range an organisation may choose from: one month to ten years. */
export const CLOSED_REQUESTS_MONTHS_MIN = 1;
export const CLOSED_REQUESTS_MONTHS_MAX = 120;

export interface OrganisationLimits {
  closedRequestsMonths: number;
  /** False while the organisation keeps the default. */
  chosen: boolean;
}

export const limitsInput = z.object({
  closedRequestsMonths: z.coerce
    .number({ error: "Months after closing must be a number" })
    .int("Months after closing must be a whole number")
    .min(
      CLOSED_REQUESTS_MONTHS_MIN,
      `Months after closing must be at least ${CLOSED_REQUESTS_MONTHS_MIN}`,
    )
    .max(
      CLOSED_REQUESTS_MONTHS_MAX,
      `Months after closing must be at most ${CLOSED_REQUESTS_MONTHS_MAX} (ten years)`,
    ),
});
export type LimitsInput = z.infer<typeof limitsInput>;

/** The organisation's limits, the default where it chose none. */
export async function organisationLimits(
  handle: AnyHandle,
  organisationId: string,
): Promise<OrganisationLimits> {
  const row = await retentionDb(handle)
    .selectFrom("retention_settings")
    .select("closed_requests_months")
    .where("organisation_id", "=", organisationId)
    .executeTakeFirst();
  return row === undefined
    ? { closedRequestsMonths: DEFAULT_CLOSED_REQUESTS_MONTHS, chosen: false }
    : { closedRequestsMonths: Number(row.closed_requests_months), chosen: true };
}

/** Every organisation's chosen months (the others keep the default). */
export async function chosenClosedRequestMonths(handle: AnyHandle): Promise<Map<string, number>> {
  const rows = await retentionDb(handle)
    .selectFrom("retention_settings")
    .select(["organisation_id", "closed_requests_months"])
    .execute();
  return new Map(rows.map((r) => [r.organisation_id, Number(r.closed_requests_months)]));
}

/**
 * Sets the organisation's limits (an admin: `members:manage`), and audits the change.
 * @throws VALIDATION_FAILED naming `closedRequestsMonths` when out of range.
 * @example await saveOrganisationLimits(db, actor, { closedRequestsMonths: "12" }, now)
 */
export async function saveOrganisationLimits(
  handle: AnyHandle,
  actor: Actor,
  input: unknown,
  now: number,
): Promise<OrganisationLimits> {
  requirePermission(actor.role, "members:manage");
  const parsed = limitsInput.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(String(issue?.path[0] ?? "closedRequestsMonths"), issue?.message ?? "invalid");
  }
  const months = parsed.data.closedRequestsMonths;
  await retentionDb(handle)
    .transaction()
    .execute(async (trx) => {
      await trx
        .insertInto("retention_settings")
        .values({
          organisation_id: actor.orgId,
          closed_requests_months: months,
          updated_at: now,
          updated_by: actor.userId,
        })
        .onConflict((oc) =>
          oc.column("organisation_id").doUpdateSet({
            closed_requests_months: months,
            updated_at: now,
            updated_by: actor.userId,
          }),
        )
        .execute();
      await recordAudit(
        trx,
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "retention-changed",
          target: `closed requests: ${months} months`,
        },
        now,
      );
    });
  return { closedRequestsMonths: months, chosen: true };
}
