/**
 * Offering a request to its candidate. `offer` snapshots today's options into the request
 * (`awaiting_candidate`); `sendToCandidate` does that and, in the same transaction, issues the
 * candidate's signed link (revoking any earlier one) and queues the email that carries it, so
 * the status, the link, the email and the timeline entry exist together or not at all.
 */
import { AppError } from "../../errors.js";
import type { OrgId } from "../../ids.js";
import { escapeHtml } from "../../mail/html.js";
import { enqueueMail } from "../../mail/outbox.js";
import { type BookingContext, type Caller, writeTransaction } from "../context.js";
import type { BookingDb } from "../db.js";
import { refusalOf, requireAllowed } from "../lifecycle.js";
import { computeOptions, readerFor } from "../options.js";
import { type RequestNames, requestNames } from "../request-names.js";
import { addEvent, loadRequest, requestRow, setStatus } from "../request-repository.js";
import type { InterviewRequest, Option, OptionsAnswer } from "../schemas.js";

/**
 * Snapshots today's options into the request for the candidate; `awaiting_candidate`.
 * @throws AppError REQUEST_NOT_OPEN (booked, cancelled), NO_TIME_FITS (with the explanation).
 */
export async function offer(
  ctx: BookingContext,
  caller: Caller,
  requestId: string,
): Promise<InterviewRequest> {
  return offerAnd(ctx, caller, requestId, async () => undefined);
}

/**
 * Offers the request's options and emails the candidate a link to choose one.
 * @example await sendToCandidate(ctx, userCaller(actor), "req_…") // now awaiting_candidate
 * @throws AppError REQUEST_NOT_OPEN, NO_TIME_FITS
 */
export async function sendToCandidate(
  ctx: BookingContext,
  caller: Caller,
  requestId: string,
): Promise<InterviewRequest> {
  const { publicUrl, mailFrom } = ctx;
  if (publicUrl === undefined || mailFrom === undefined) {
    throw new Error("sending to a candidate needs the booking service's publicUrl and mailFrom");
  }
  const about = await requestNames(ctx.db, caller.orgId, requestId);
  if (about === undefined) throw new AppError("NOT_FOUND", "interview request not found");
  return offerAnd(ctx, caller, requestId, async (trx, options) => {
    const { token } = await ctx.links.issue(trx, caller.orgId, requestId);
    await enqueueMail(
      trx,
      linkEmail(caller.orgId, about, `${publicUrl}/book/${token}`, options.length),
      ctx.clock.now(),
      mailFrom,
    );
  });
}

/** Offers inside one transaction, then runs `also` in it (the link and its email). */
async function offerAnd(
  ctx: BookingContext,
  caller: Caller,
  requestId: string,
  also: (trx: BookingDb, options: Option[]) => Promise<void>,
): Promise<InterviewRequest> {
  const orgId = caller.orgId;
  const row = await requestRow(ctx.db, orgId, requestId);
  requireAllowed({ status: row.status, booking: null }, "send");
  // The engine runs before the transaction: no lock is held while it searches.
  const answer = await computeOptions(ctx, row, readerFor(caller, row));
  if (answer.options.length === 0) throw noTimeFits(answer);
  await writeTransaction(ctx, async (trx) => {
    const locked = await requestRow(trx, orgId, requestId, { lock: true, dialect: ctx.dialect });
    const refusal = refusalOf({ status: locked.status, booking: null }, "send");
    if (refusal !== undefined) throw refusal;
    const now = ctx.clock.now();
    await setStatus(trx, orgId, requestId, {
      status: "awaiting_candidate",
      offered_options: JSON.stringify(answer.options),
      offered_at: now,
      updated_at: now,
    });
    await addEvent(trx, now, caller, requestId, "offered", {
      optionIds: answer.options.map((o) => o.id),
      warnings: answer.warnings,
    });
    await also(trx, answer.options);
  });
  return loadRequest(ctx.db, orgId, requestId);
}

function noTimeFits(answer: OptionsAnswer): AppError {
  return new AppError(
    "NO_TIME_FITS",
    "No time fits this request; see its options for what to relax.",
    answer.explanation === undefined || answer.explanation === null
      ? {}
      : { detail: { explanation: answer.explanation } },
  );
}

function linkEmail(orgId: OrgId, about: RequestNames, url: string, count: number) {
  return {
    organisationId: orgId,
    kind: "booking-link",
    to: about.candidateEmail,
    subject: `Choose a time for your interview: ${about.jobTitle}`,
    text: [
      `Hello ${about.candidateName},`,
      "",
      `${about.organisationName} would like to interview you for ${about.jobTitle}.`,
      `Choose the time that suits you best from ${count} option${count === 1 ? "" : "s"}, in your own time zone:`,
      "",
      url,
      "",
      "If none of them work, the page lets you tell us when you are free.",
      "The link works for two weeks; reply to this email for a new one.",
    ].join("\n"),
    html: `<p>Hello ${escapeHtml(about.candidateName)},</p><p>${escapeHtml(about.organisationName)} would like to interview you for ${escapeHtml(about.jobTitle)}.</p><p><a href="${escapeHtml(url)}">Choose a time for your interview</a></p><p>If none of the times work, the page lets you tell us when you are free. The link works for two weeks; reply to this email for a new one.</p>`,
  };
}
