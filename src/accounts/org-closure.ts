/**
 * An owner closes the organisation: it is marked closing for a grace period (30 days unless
 * configured), every member is told by email, and a scheduled job erases it when the period
 * ends, unless an owner cancels the closing first.
 *
 * Erasing goes through each module's own function, in one transaction: the app wires in the
 * other modules' steps (`OrganisationErasureStep`, app/compose.ts), which run in order, then
 * the accounts module removes its own rows and the organisation itself. Nothing is left to the
 * database's cascades. The proof lists, per module, the rows removed per table (counts only),
 * files removed and grants revoked; it is returned and kept in the audit trail, with no
 * organisation as owner, so it outlives the organisation.
 */
import { AppError, notFound } from "../errors.js";
import { mintOrgId, type OrgId } from "../ids.js";
import { cancelJobs, scheduleJob } from "../jobs/scheduled-jobs.js";
import { escapeHtml } from "../mail/html.js";
import type { AnyHandle } from "../store/handle.js";
import type { AccountsDb, AccountsUnit } from "./db.js";
import { closeIfOrphaned } from "./former-members.js";
import { requirePermission } from "./permissions.js";
import type { AccountsBase, Actor, RequestMeta } from "./types.js";

export const ERASE_ORGANISATION_JOB = "erase-organisation";
export const DEFAULT_ORGANISATION_GRACE_MS = 30 * 24 * 3_600_000;
const jobKey = (orgId: string) => `${ERASE_ORGANISATION_JOB}:${orgId}`;

/** What one module removed of the organisation, inside the erasure's transaction. */
export interface OrganisationErasureResult {
  /** Rows deleted, per table. */
  tables: Record<string, number>;
  /** Rows kept on purpose, per table, with their link to the organisation cut. */
  kept?: Record<string, number>;
  /** Work to do once the transaction has committed (files, revoking grants). */
  afterCommit?: () => Promise<{ files?: number; grantsRevoked?: number }>;
}

/** Another module's part of erasing an organisation, over its own tables only. */
export interface OrganisationErasureStep {
  /** The module, as the proof names it. */
  module: string;
  /**
   * Before the transaction, once the erasure is due: what needs the data the erasure destroys
   * and calls out of Ally (revoking calendar grants needs the sealed credentials).
   */
  beforeErase?(handle: AnyHandle, orgId: OrgId): Promise<{ grantsRevoked?: number }>;
  erase(handle: AnyHandle, orgId: OrgId): Promise<OrganisationErasureResult>;
}

/** What erasing an organisation removed where: counts only, never the data. */
export interface OrganisationErasureProof {
  organisationId: string;
  /** RFC 3339. */
  erasedAt: string;
  modules: Record<
    string,
    {
      tables: Record<string, number>;
      kept?: Record<string, number>;
      files?: number;
      grantsRevoked?: number;
    }
  >;
}

export interface OrgClosureDeps extends AccountsBase {
  /** How long a closing organisation can still be kept. */
  organisationGraceMs: number;
  /**
   * The other modules' parts of the erasure, run in this order (dependents first) before the
   * accounts module's own; app/compose.ts wires them.
   */
  organisationErasureSteps: readonly OrganisationErasureStep[];
}

/**
 * The accounts module's own part, last: invitations, API tokens, sessions and memberships;
 * a member left with no organisation has their account closed (former-members.ts); then the
 * organisation's row.
 */
async function eraseAccountsOfOrganisation(
  db: AccountsDb,
  orgId: OrgId,
): Promise<OrganisationErasureResult> {
  const members = await db
    .selectFrom("memberships")
    .select("user_id")
    .where("organisation_id", "=", orgId)
    .execute();
  const tables: Record<string, number> = {};
  for (const table of ["invitations", "api_tokens", "sessions", "memberships"] as const) {
    const result = await db
      .deleteFrom(table)
      .where("organisation_id", "=", orgId)
      .executeTakeFirst();
    tables[table] = Number(result.numDeletedRows);
  }
  let closed = 0;
  for (const m of members) if (await closeIfOrphaned(db, m.user_id)) closed += 1;
  const org = await db.deleteFrom("organisations").where("id", "=", orgId).executeTakeFirst();
  tables.organisations = Number(org.numDeletedRows);
  return { tables, kept: { "users (closed, anonymised)": closed } };
}

/** The proof's one-line form for the audit trail: module → table → rows. */
function auditSummary(proof: OrganisationErasureProof, why: string): string {
  const parts = Object.entries(proof.modules).map(([module, part]) => {
    const rows = Object.entries(part.tables).map(([table, n]) => `${table} ${n}`);
    return `${module} (${rows.join(", ")})`;
  });
  return `organisation ${proof.organisationId} erased ${why}: ${parts.join("; ")}`;
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

/** An erasure done inside its transaction; `finish` runs what waits for the commit. */
export interface OrganisationErasureInProgress {
  proof: OrganisationErasureProof;
  /** After the transaction commits: files, grants; completes and returns the proof. */
  finish(): Promise<OrganisationErasureProof>;
}

/**
 * Erases the organisation inside the caller's transaction: the other modules' steps in order,
 * then the accounts module's own rows and the organisation's row; the proof goes to the audit
 * trail without an organisation. Also used when the last member closes their account.
 */
export async function eraseOrganisationInTransaction(
  unit: AccountsUnit,
  steps: readonly OrganisationErasureStep[],
  orgId: OrgId,
  now: number,
  /** Why, for the audit trail: "after closing", "with its last member's account". */
  why = "after closing",
): Promise<OrganisationErasureInProgress> {
  const proof: OrganisationErasureProof = {
    organisationId: orgId,
    erasedAt: new Date(now).toISOString(),
    modules: {},
  };
  const later: Array<[string, NonNullable<OrganisationErasureResult["afterCommit"]>]> = [];
  const record = (module: string, result: OrganisationErasureResult) => {
    proof.modules[module] = {
      tables: result.tables,
      ...(result.kept === undefined ? {} : { kept: result.kept }),
    };
    if (result.afterCommit !== undefined) later.push([module, result.afterCommit]);
  };
  for (const step of steps) record(step.module, await step.erase(unit.shared, orgId));
  record("accounts", await eraseAccountsOfOrganisation(unit.db, orgId));
  await unit.audit(
    {
      organisationId: null,
      actorUserId: null,
      action: "deletion",
      target: auditSummary(proof, why),
    },
    now,
  );
  return {
    proof,
    async finish() {
      for (const [module, run] of later) {
        const done = await run();
        const part = proof.modules[module];
        if (part === undefined) continue;
        if (done.files !== undefined) part.files = done.files;
        if (done.grantsRevoked !== undefined) part.grantsRevoked = done.grantsRevoked;
      }
      return proof;
    },
  };
}

/**
 * Erases the organisation, each module through its own function, in one transaction, when
 * it is still closing and its grace period is over; returns the proof, or null when it was
 * not due (or is gone already).
 * @example await accounts.eraseOrganisationAfterClosing("org_1")
 *   // { organisationId: "org_1", modules: { booking: { tables: { bookings: 3, … } }, … } }
 */
export async function eraseOrganisationAfterClosing(
  deps: OrgClosureDeps,
  organisationId: string,
): Promise<OrganisationErasureProof | null> {
  const { store, clock } = deps;
  const now = clock.now();
  const orgId = mintOrgId(organisationId);
  const isDue = (db: AccountsDb) =>
    db
      .selectFrom("organisations")
      .select("id")
      .where("id", "=", orgId)
      .where("closing_since", "is not", null)
      .where("erase_after", "<=", now);
  if ((await isDue(store.db).executeTakeFirst()) === undefined) return null;
  // Once the grace period is over the closing can no longer be cancelled (cancelOrganisationClosing).
  const revoked: Record<string, number> = {};
  for (const step of deps.organisationErasureSteps) {
    if (step.beforeErase === undefined) continue;
    const done = await step.beforeErase(store.shared, orgId);
    if (done.grantsRevoked !== undefined) revoked[step.module] = done.grantsRevoked;
  }
  const erased = await store.transaction(async (unit) => {
    // Locks the row: a second run of the job waits, and then finds it gone.
    const due = await unit.db
      .updateTable("organisations")
      .set((eb) => ({ name: eb.ref("name") }))
      .where("id", "=", orgId)
      .where("closing_since", "is not", null)
      .where("erase_after", "<=", now)
      .executeTakeFirst();
    if (Number(due.numUpdatedRows) !== 1) return null;
    return eraseOrganisationInTransaction(unit, deps.organisationErasureSteps, orgId, now);
  });
  if (erased === null) return null;
  for (const [module, grantsRevoked] of Object.entries(revoked)) {
    const part = erased.proof.modules[module];
    if (part !== undefined) part.grantsRevoked = grantsRevoked;
  }
  return erased.finish();
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

    /**
     * An owner cancels the closing during the grace period; CONFLICT when it is not closing, or
     * when the period is over (the erasure may have begun: calendar grants are revoked first).
     */
    async cancelOrganisationClosing(actor: Actor, meta: RequestMeta): Promise<void> {
      requirePermission(actor.role, "owners:manage");
      const now = clock.now();
      await store.transaction(async (unit) => {
        const cleared = await unit.db
          .updateTable("organisations")
          .set({ closing_since: null, erase_after: null })
          .where("id", "=", actor.orgId)
          .where("closing_since", "is not", null)
          .where("erase_after", ">", now)
          .executeTakeFirst();
        if (Number(cleared.numUpdatedRows) !== 1) {
          const closing = await unit.db
            .selectFrom("organisations")
            .select("erase_after")
            .where("id", "=", actor.orgId)
            .executeTakeFirst();
          throw new AppError(
            "CONFLICT",
            closing?.erase_after === null || closing === undefined
              ? "This organisation is not closing."
              : "The grace period is over: the organisation is being erased.",
          );
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
      return (await eraseOrganisationAfterClosing(deps, organisationId)) !== null;
    },

    /** As `eraseClosedOrganisation`, returning the proof (null when it was not due). */
    eraseOrganisationAfterClosing: (organisationId: string) =>
      eraseOrganisationAfterClosing(deps, organisationId),
  };
}
