/**
 * Deadline notices: a data-subject request that is near its deadline (within `NEAR_DUE_DAYS`)
 * or past it is flagged on the queue (commands.ts) and its controller's answerers are told by
 * email: an organisation's owners and admins, or the operator's privacy contact. The scheduled
 * sweep (app/privacy-deadlines.ts) finds the requests to tell about; each request is told once
 * per state, the job queue's unique key being the record that it was.
 *
 * The notice names the kind of request and its due day, never the person: the queue shows them
 * to whoever signs in.
 */
import { z } from "zod";
import { type AnyHandle, privacyDb } from "./db.js";
import { type DeadlineFacts, type DeadlineFlag, deadlineFlag, dueAt } from "./deadlines.js";
import type { PrivacyRequestDeps } from "./requests/deps.js";
import { jurisdictionSchema, KIND_LABELS, REQUEST_KINDS } from "./requests/schemas.js";

export type NoticeState = Extract<DeadlineFlag, "near-due" | "overdue">;

export interface DeadlineNotice {
  requestId: string;
  /** The controller: an organisation, or null for the operator. */
  organisationId: string | null;
  state: NoticeState;
}

/** Who answers a controller's requests: the addresses its notices go to. */
export type AnswerersOf = (db: AnyHandle, organisationId: string | null) => Promise<string[]>;

interface OpenRequest {
  id: string;
  organisation_id: string | null;
  kind: string;
  jurisdiction: string;
  received_at: number;
  verified_at: number | null;
  extended: number;
}

const factsOf = (row: OpenRequest): DeadlineFacts => ({
  jurisdiction: jurisdictionSchema.catch("gdpr").parse(row.jurisdiction),
  receivedAtMs: Number(row.received_at),
  verifiedAtMs: row.verified_at === null ? null : Number(row.verified_at),
  extended: Number(row.extended) === 1,
});

function openRequests(handle: AnyHandle) {
  return privacyDb(handle)
    .selectFrom("privacy_requests")
    .select([
      "id",
      "organisation_id",
      "kind",
      "jurisdiction",
      "received_at",
      "verified_at",
      "extended",
    ])
    .where("status", "=", "open")
    .where("verified_at", "is not", null);
}

/**
 * Every open request that is near due or overdue at `nowMs`, with the state to tell about.
 * @example await dueNotices(db, Date.UTC(2026, 11, 26)) // [{ requestId: "prq_…", state: "near-due", … }]
 */
export async function dueNotices(db: AnyHandle, nowMs: number): Promise<DeadlineNotice[]> {
  const rows = await openRequests(db).orderBy("received_at").execute();
  return rows.flatMap((row) => {
    const flag = deadlineFlag(factsOf(row), nowMs);
    if (flag !== "near-due" && flag !== "overdue") return [];
    return [{ requestId: row.id, organisationId: row.organisation_id, state: flag }];
  });
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Emails the request's answerers that it is near due or overdue, in one transaction, when it is
 * still open and still in that state (a near-due notice that comes after the deadline passed is
 * left to the overdue one). Returns how many messages were queued.
 */
export async function sendDeadlineNotice(
  deps: Pick<PrivacyRequestDeps, "db" | "clock" | "sendMail" | "publicUrl">,
  answerersOf: AnswerersOf,
  notice: DeadlineNotice,
): Promise<number> {
  const now = deps.clock.now();
  const row = await openRequests(deps.db).where("id", "=", notice.requestId).executeTakeFirst();
  if (row === undefined) return 0;
  const facts = factsOf(row);
  if (deadlineFlag(facts, now) !== notice.state) return 0;
  const due = dueAt(facts);
  if (due === null) return 0;
  const parsedKind = z.enum(REQUEST_KINDS).safeParse(row.kind);
  const kind = parsedKind.success ? KIND_LABELS[parsedKind.data] : row.kind;
  const recipients = await answerersOf(deps.db, row.organisation_id);
  const queue =
    row.organisation_id === null ? "the operator's privacy queue" : "your privacy queue";
  const subject =
    notice.state === "overdue"
      ? `A privacy request is overdue (it was due ${day(due)})`
      : `A privacy request is due by ${day(due)}`;
  const text = [
    notice.state === "overdue"
      ? `A request in ${queue} was due on ${day(due)} and is still open: "${kind}".`
      : `A request in ${queue} must be answered by ${day(due)}: "${kind}".`,
    "",
    `Answer it, or extend it once with notice to the person if it is complex: ${deps.publicUrl}/app/privacy/requests`,
  ].join("\n");
  await privacyDb(deps.db)
    .transaction()
    .execute(async (tx) => {
      for (const to of recipients) {
        await deps.sendMail(tx, {
          organisationId: row.organisation_id,
          kind: `privacy-deadline-${notice.state}`,
          to,
          subject,
          text,
        });
      }
    });
  return recipients.length;
}
