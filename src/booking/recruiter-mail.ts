/**
 * The recruiter's mail: what Ally could not settle itself (a declined invitation nobody could
 * replace, times the candidate proposed) goes to the request's creator as an email, plain text
 * and HTML, queued in the outbox of the transaction that noticed it.
 */
import { userContact } from "../accounts/reads.js";
import type { OrgId } from "../ids.js";
import { escapeHtml } from "../mail/html.js";
import { enqueueMail } from "../mail/outbox.js";
import { type BookingContext, writeTransaction } from "./context.js";
import { type AnyHandle, bookingDb } from "./db.js";
import { addEvent, requestRow, setStatus } from "./request-repository.js";
import type { InterviewRequestsTable } from "./tables.js";

export interface RecruiterMessage {
  kind: string;
  subject: string;
  paragraphs: string[];
}

/** Emails the request's creator inside `q`'s transaction; false when that user no longer exists. */
export async function mailRecruiter(
  ctx: Pick<BookingContext, "clock" | "mailFrom" | "publicUrl">,
  handle: AnyHandle,
  orgId: OrgId,
  row: InterviewRequestsTable,
  message: RecruiterMessage,
): Promise<boolean> {
  const q = bookingDb(handle);
  const recruiter = await userContact(q, row.created_by);
  if (recruiter === undefined) return false;
  const page =
    ctx.publicUrl === undefined
      ? `Interview request ${row.id}`
      : `${ctx.publicUrl}/app/requests/${row.id}`;
  const paragraphs = [
    ...message.paragraphs,
    `The request's page has its timeline and what to do next: ${page}`,
  ];
  const queued = await enqueueMail(
    q,
    {
      organisationId: orgId,
      kind: message.kind,
      to: recruiter.email,
      subject: message.subject,
      text: `Hello ${recruiter.name},\n\n${paragraphs.join("\n\n")}\n`,
      html: [
        `<p>Hello ${escapeHtml(recruiter.name)},</p>`,
        ...paragraphs.map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`),
      ].join(""),
    },
    ctx.clock.now(),
    ctx.mailFrom,
  );
  return queued.messageId !== null;
}

/**
 * Tells the request's creator what Ally could not settle itself: an email (text and HTML)
 * and a timeline entry of `kind` with `detail`, in one transaction.
 */
export async function tellRecruiter(
  ctx: Pick<BookingContext, "db" | "dialect" | "clock" | "mailFrom" | "publicUrl">,
  orgId: OrgId,
  requestId: string,
  message: RecruiterMessage & {
    detail: Record<string, unknown>;
    /** The booked interview can no longer stand as it is: the request needs a new time. */
    needsNewTime?: boolean;
  },
): Promise<void> {
  await writeTransaction(ctx, async (trx) => {
    const row = await requestRow(trx, orgId, requestId, { lock: true, dialect: ctx.dialect });
    if (message.needsNewTime === true && row.status === "scheduled") {
      await setStatus(trx, orgId, requestId, {
        status: "rescheduling",
        updated_at: ctx.clock.now(),
      });
    }
    const emailed = await mailRecruiter(ctx, trx, orgId, row, message);
    await addEvent(trx, ctx.clock.now(), { kind: "system", orgId }, requestId, message.kind, {
      ...message.detail,
      recruiterEmailed: emailed,
    });
  });
}
