/**
 * Data-subject requests as their controllers see and answer them: a signed-in member files one
 * about themselves; an organisation's admins (or the operator) list their queue, with deadline
 * flags, and complete, refuse or extend each. Completing carries the right out: restriction and
 * objection set a flag (restriction.ts), erasure calls `erase`.
 */
import { AppError } from "../../errors.js";
import { privacyDb } from "../db.js";
import { type DeadlineFlag, deadlineFlag, dueAt, type Jurisdiction } from "../deadlines.js";
import { setPersonFlag } from "../restriction.js";
import type { PrivacyRequestDeps, Tx } from "./deps.js";
import { issueExportLink } from "./export-links.js";
import { type FiledRequest, fileRequests } from "./file.js";
import type { RequestKind } from "./schemas.js";

export interface PrivacyRequestView {
  id: string;
  organisationId: string | null;
  kind: RequestKind;
  email: string;
  details: string | null;
  jurisdiction: Jurisdiction;
  receivedAt: number;
  verifiedAt: number | null;
  dueAt: number | null;
  extended: boolean;
  status: "open" | "completed" | "refused";
  completedAt: number | null;
  policyVersion: string;
  /** For open requests: paused, on-time, near-due or overdue; null once answered. */
  flag: DeadlineFlag | null;
}

/** Whose queue: an organisation's (its id, proven by the session) or the operator's. */
export type Controller = { organisationId: string } | "operator";

/** A signed-in member's request about themselves: their identity is verified by the session. */
export async function fileMemberRequest(
  deps: PrivacyRequestDeps,
  member: { userId: string; email: string },
  input: { kind: RequestKind; details?: string | undefined; jurisdiction: Jurisdiction },
): Promise<FiledRequest[]> {
  const now = deps.clock.now();
  return privacyDb(deps.db)
    .transaction()
    .execute((tx) =>
      fileRequests(deps, tx, {
        email: member.email.toLowerCase(),
        kind: input.kind,
        details: input.details ?? null,
        jurisdiction: input.jurisdiction,
        receivedAt: now,
        verifiedAt: now,
        userId: member.userId,
      }),
    );
}

type Row = {
  id: string;
  organisation_id: string | null;
  kind: string;
  email: string;
  details: string | null;
  jurisdiction: string;
  received_at: number;
  verified_at: number | null;
  due_at: number | null;
  extended: number;
  status: string;
  completed_at: number | null;
  policy_version: string;
};

function view(row: Row, now: number): PrivacyRequestView {
  const status = row.status as PrivacyRequestView["status"];
  const facts = {
    jurisdiction: row.jurisdiction as Jurisdiction,
    receivedAtMs: Number(row.received_at),
    verifiedAtMs: row.verified_at === null ? null : Number(row.verified_at),
    extended: Number(row.extended) === 1,
  };
  return {
    id: row.id,
    organisationId: row.organisation_id,
    kind: row.kind as RequestKind,
    email: row.email,
    details: row.details,
    jurisdiction: facts.jurisdiction,
    receivedAt: facts.receivedAtMs,
    verifiedAt: facts.verifiedAtMs,
    dueAt: row.due_at === null ? null : Number(row.due_at),
    extended: facts.extended,
    status,
    completedAt: row.completed_at === null ? null : Number(row.completed_at),
    policyVersion: row.policy_version,
    flag: status === "open" ? deadlineFlag(facts, now) : null,
  };
}

const COLUMNS = [
  "id",
  "organisation_id",
  "kind",
  "email",
  "details",
  "jurisdiction",
  "received_at",
  "verified_at",
  "due_at",
  "extended",
  "status",
  "completed_at",
  "policy_version",
] as const;

/** A controller's queue: open requests first, soonest due first; then the answered ones. */
export async function listQueue(
  deps: PrivacyRequestDeps,
  controller: Controller,
): Promise<PrivacyRequestView[]> {
  let query = privacyDb(deps.db).selectFrom("privacy_requests").select(COLUMNS);
  query =
    controller === "operator"
      ? query.where("organisation_id", "is", null)
      : query.where("organisation_id", "=", controller.organisationId);
  const rows = await query.orderBy("received_at", "desc").limit(500).execute();
  const now = deps.clock.now();
  const views = rows.map((r) => view(r, now));
  const rank = (v: PrivacyRequestView) => (v.status === "open" ? 0 : 1);
  return views.sort(
    (a, b) =>
      rank(a) - rank(b) ||
      (a.dueAt ?? Number.MAX_SAFE_INTEGER) - (b.dueAt ?? Number.MAX_SAFE_INTEGER),
  );
}

/** A member's own requests (filed while signed in, or with a code for their address). */
export async function listOwnRequests(
  deps: PrivacyRequestDeps,
  email: string,
): Promise<PrivacyRequestView[]> {
  const rows = await privacyDb(deps.db)
    .selectFrom("privacy_requests")
    .select(COLUMNS)
    .where("email", "=", email.toLowerCase())
    .orderBy("received_at", "desc")
    .limit(200)
    .execute();
  const now = deps.clock.now();
  return rows.map((r) => view(r, now));
}

/**
 * Answers an open request in the controller's queue. `complete` carries the right out,
 * `refuse` closes it unanswered (the person is told), `extend` moves the deadline (GDPR: two
 * more months; CCPA: 45 days) and tells the person.
 * @throws NOT_FOUND when the request is not in this controller's queue;
 *   CONFLICT when it is already answered, or already extended.
 */
export async function answerRequest(
  deps: PrivacyRequestDeps,
  controller: Controller,
  answer: { requestId: string; action: "complete" | "refuse" | "extend"; byUserId: string },
): Promise<PrivacyRequestView> {
  const now = deps.clock.now();
  // Steps of the answer that must wait for its transaction to commit (erasure's files, grants).
  const afterCommit: Array<() => Promise<unknown>> = [];
  const answered = await privacyDb(deps.db)
    .transaction()
    .execute(async (tx): Promise<PrivacyRequestView> => {
      let query = tx
        .selectFrom("privacy_requests")
        .select(COLUMNS)
        .where("id", "=", answer.requestId);
      query =
        controller === "operator"
          ? query.where("organisation_id", "is", null)
          : query.where("organisation_id", "=", controller.organisationId);
      const row = await query.executeTakeFirst();
      if (row === undefined) throw new AppError("NOT_FOUND", "No such request in this queue.");
      const request = view(row, now);
      if (request.status !== "open") {
        throw new AppError("CONFLICT", "This request has already been answered.");
      }
      const tell = (subject: string, text: string) =>
        deps.sendMail(tx, {
          organisationId: request.organisationId,
          kind: "privacy-request-answer",
          to: request.email,
          subject,
          text,
        });
      if (answer.action === "extend") {
        if (request.extended) throw new AppError("CONFLICT", "This request was already extended.");
        const due = dueAt({
          jurisdiction: request.jurisdiction,
          receivedAtMs: request.receivedAt,
          verifiedAtMs: request.verifiedAt,
          extended: true,
        });
        const extended = view({ ...row, extended: 1, due_at: due }, now);
        await tx
          .updateTable("privacy_requests")
          .set({ extended: 1, due_at: extended.dueAt })
          .where("id", "=", request.id)
          .execute();
        await tell(
          "Your privacy request needs more time",
          `Answering your ${request.kind} request needs more time because of its complexity or the number of requests. The new deadline is ${new Date(extended.dueAt ?? now).toISOString().slice(0, 10)}.`,
        );
        return extended;
      }
      if (answer.action === "complete") {
        const finish = await carryOut(deps, tx, request, now);
        if (finish !== undefined) afterCommit.push(finish);
      }
      const status = answer.action === "complete" ? "completed" : "refused";
      // Conditional on still being open: of two admins answering at once, one wins.
      const updated = await tx
        .updateTable("privacy_requests")
        .set({ status, completed_at: now, completed_by: answer.byUserId })
        .where("id", "=", request.id)
        .where("status", "=", "open")
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) {
        throw new AppError("CONFLICT", "This request has already been answered.");
      }
      await tell(
        status === "completed"
          ? "Your privacy request is done"
          : "Your privacy request was refused",
        status === "completed"
          ? `Your ${request.kind} request has been carried out.`
          : `Your ${request.kind} request was refused. You may complain to your data protection authority.`,
      );
      return { ...request, status, completedAt: now, flag: null };
    });
  for (const step of afterCommit) await step();
  return answered;
}

async function carryOut(
  deps: PrivacyRequestDeps,
  tx: Tx,
  request: PrivacyRequestView,
  now: number,
): Promise<(() => Promise<unknown>) | undefined> {
  if (request.kind === "restriction") {
    await setPersonFlag(tx, request.email, "restricted", now, request.id);
  } else if (request.kind === "objection") {
    await setPersonFlag(tx, request.email, "objected", now, request.id);
  } else if (request.kind === "access" || request.kind === "portability") {
    await issueExportLink(deps, tx, request, now);
  } else if (request.kind === "erasure") {
    if (deps.erase === undefined) {
      throw new AppError("CONFLICT", "Erasure is not available on this instance yet.");
    }
    const erased = await deps.erase(tx, request.email, request.organisationId);
    return () => erased.finish();
  }
  return undefined;
}
