/**
 * An owner closes the organisation: it is marked closing for a grace period (30 days unless
 * configured), every member is told by email, and a scheduled job erases it when the period
 * ends, unless an owner cancels the closing first. Erasing deletes the organisation's row,
 * and with it (by the database's cascades) every module's rows that belong to it.
 */
import { AppError, notFound } from "../errors.js";
import type { OrgId } from "../ids.js";
import { cancelJobs, scheduleJob } from "../jobs/scheduled-jobs.js";
import { escapeHtml } from "../mail/html.js";
import type { AccountsUnit } from "./db.js";
import { requirePermission } from "./permissions.js";
import type { AccountsBase, Actor, RequestMeta } from "./types.js";

export const ERASE_ORGANISATION_JOB = "erase-organisation";
export const DEFAULT_ORGANISATION_GRACE_MS = 30 * 24 * 3_600_000;
const jobKey = (orgId: string) => `${ERASE_ORGANISATION_JOB}:${orgId}`;

export interface OrgClosureDeps extends AccountsBase {
  /** How long a closing organisation can still be kept. */
  organisationGraceMs: number;
}

export interface OrganisationClosing {
  closingSince: number;
  eraseAfter: number;
}

async function tellMembers(
  unit: AccountsUnit,
  orgId: OrgId,
  subject: string,
  paragraph: (orgName: string) => string,
  now: number,
): Promise<void> {
  const org = await unit.db
    .selectFrom("organisations")
    .select("name")
    .where("id", "=", orgId)
    .executeTakeFirstOrThrow();
  const members = await unit.db
    .selectFrom("memberships")
    .innerJoin("users", "users.id", "memberships.user_id")
    .select(["users.email", "users.name"])
    .where("memberships.organisation_id", "=", orgId)
    .execute();
  const text = paragraph(org.name);
  for (const m of members) {
    await unit.mail(
      {
        organisationId: orgId,
        kind: "organisation-closing",
        to: m.email,
        subject,
        text: `Hello ${m.name},\n\n${text}\n`,
        html: `<p>Hello ${escapeHtml(m.name)},</p><p>${escapeHtml(text)}</p>`,
      },
      now,
    );
  }
}

export function orgClosureOperations(deps: OrgClosureDeps) {
  const { store, clock } = deps;
  return {
    /** Whether the actor's organisation is closing, and when it will be erased. */
    async organisationClosing(actor: Actor): Promise<OrganisationClosing | null> {
      const row = await store.db
        .selectFrom("organisations")
        .select(["closing_since", "erase_after"])
        .where("id", "=", actor.orgId)
        .executeTakeFirst();
      if (row === undefined) throw notFound("organisation");
      return row.closing_since === null || row.erase_after === null
        ? null
        : { closingSince: row.closing_since, eraseAfter: row.erase_after };
    },

    /** An owner closes the organisation; CONFLICT when it is already closing. */
    async closeOrganisation(actor: Actor, meta: RequestMeta): Promise<OrganisationClosing> {
      requirePermission(actor.role, "owners:manage");
      const now = clock.now();
      const eraseAfter = now + deps.organisationGraceMs;
      await store.transaction(async (unit) => {
        const marked = await unit.db
          .updateTable("organisations")
          .set({ closing_since: now, erase_after: eraseAfter })
          .where("id", "=", actor.orgId)
          .where("closing_since", "is", null)
          .executeTakeFirst();
        if (Number(marked.numUpdatedRows) !== 1) {
          throw new AppError("CONFLICT", "This organisation is already closing.");
        }
        // Not tied to the organisation's row: erasing it must not take the job with it mid-run.
        await scheduleJob(
          unit.shared,
          {
            organisationId: null,
            kind: ERASE_ORGANISATION_JOB,
            key: jobKey(actor.orgId),
            runAt: eraseAfter,
            payload: { organisationId: actor.orgId },
          },
          now,
        );
        const day = new Date(eraseAfter).toISOString().slice(0, 10);
        await tellMembers(
          unit,
          actor.orgId,
          "Your organisation in Ally is closing",
          (name) =>
            `An owner of ${name} closed it in Ally. On ${day} (UTC) its data is erased: jobs, candidates, interviews, calendar connections and memberships. Until then an owner can cancel the closing from the organisation's page.`,
          now,
        );
        await unit.audit(
          {
            organisationId: actor.orgId,
            actorUserId: actor.userId,
            action: "account-updated",
            target: "organisation closing",
            ip: meta.ip,
          },
          now,
        );
      });
      return { closingSince: now, eraseAfter };
    },

    /** An owner cancels the closing during the grace period; CONFLICT when it is not closing. */
    async cancelOrganisationClosing(actor: Actor, meta: RequestMeta): Promise<void> {
      requirePermission(actor.role, "owners:manage");
      const now = clock.now();
      await store.transaction(async (unit) => {
        const cleared = await unit.db
          .updateTable("organisations")
          .set({ closing_since: null, erase_after: null })
          .where("id", "=", actor.orgId)
          .where("closing_since", "is not", null)
          .executeTakeFirst();
        if (Number(cleared.numUpdatedRows) !== 1) {
          throw new AppError("CONFLICT", "This organisation is not closing.");
        }
        await cancelJobs(unit.shared, jobKey(actor.orgId));
        await tellMembers(
          unit,
          actor.orgId,
          "Your organisation in Ally is no longer closing",
          (name) => `An owner of ${name} cancelled its closing. Nothing will be erased.`,
          now,
        );
        await unit.audit(
          {
            organisationId: actor.orgId,
            actorUserId: actor.userId,
            action: "account-updated",
            target: "organisation closing cancelled",
            ip: meta.ip,
          },
          now,
        );
      });
    },

    /**
     * The scheduled job: erases the organisation when it is still closing and its grace period
     * is over; returns whether it did. A closing cancelled meanwhile leaves it alone.
     */
    async eraseClosedOrganisation(organisationId: string): Promise<boolean> {
      const now = clock.now();
      return store.transaction(async (unit) => {
        const erased = await unit.db
          .deleteFrom("organisations")
          .where("id", "=", organisationId)
          .where("closing_since", "is not", null)
          .where("erase_after", "<=", now)
          .executeTakeFirst();
        if (Number(erased.numDeletedRows) !== 1) return false;
        await unit.audit(
          {
            organisationId: null,
            actorUserId: null,
            action: "deletion",
            target: `organisation ${organisationId} erased after closing`,
          },
          now,
        );
        return true;
      });
    },
  };
}
