/**
 * After an interview: a sweep that runs every fifteen minutes (a scheduled job that reschedules
 * itself) finds the booked interviews that ended in the last week (booking/ended-interviews.ts)
 * and, for each one not seen before, records one survey invitation (unique per booking, so
 * never a second one, however often and on however many servers the sweep runs) and sends each
 * interviewer one feedback reminder with a link to the request's page. When the invitation's
 * time comes (the organisation's delay after the end, 2 hours by default), the candidate is
 * sent the survey with a signed link, unless surveys are off, the interview was cancelled
 * since, the candidate restricted processing or objected (privacy/restriction.ts), or asked not
 * to be surveyed again; then the invitation is marked skipped with the reason. Every step is
 * one transaction with its mail in the outbox.
 */
import { memberContacts, organisationName } from "../accounts/reads.js";
import { newSecretToken, tokenHash } from "../accounts/tokens.js";
import { endedInterviews, isBookingActive } from "../booking/ended-interviews.js";
import type { Clock } from "../clock.js";
import { candidateFacts, jobFacts } from "../hiring/scheduling-facts.js";
import { mintOrgId, newId } from "../ids.js";
import { type JobHandler, scheduleJob } from "../jobs/scheduled-jobs.js";
import { escapeHtml } from "../mail/html.js";
import { enqueueMail } from "../mail/outbox.js";
import { hasObjected, isRestricted } from "../privacy/restriction.js";
import { type AnyHandle, surveysDb } from "./db.js";
import { surveySettings } from "./settings.js";

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
export const SURVEY_SWEEP_JOB = "survey-sweep";
export const SURVEY_SWEEP_EVERY_MS = 15 * 60_000;
/** Interviews that ended longer ago than this are not followed up (e.g. after an upgrade). */
export const SURVEY_LOOKBACK_MS = 7 * DAY_MS;
/** A survey link works for 30 days after it is sent. */
export const SURVEY_LINK_TTL_MS = 30 * DAY_MS;
export const SURVEY_TOKEN_PREFIX = "sv_";
export const SURVEY_MAIL_KIND = "candidate-survey";
export const REMINDER_MAIL_KIND = "interviewer-feedback-reminder";

export interface SurveyDeps {
  db: AnyHandle;
  clock: Clock;
  /** MAIL_FROM. */
  mailFrom: string;
  /** PUBLIC_URL: the survey page and the request page are linked from it. */
  publicUrl: string;
}

export interface SweepOutcome {
  /** Interviews newly recorded (one invitation each). */
  recorded: number;
  reminded: number;
  sent: number;
  skipped: number;
}

/** One pass: records newly ended interviews, then sends (or skips) the surveys that are due. */
export async function runSurveySweep(deps: SurveyDeps): Promise<SweepOutcome> {
  const now = deps.clock.now();
  const recorded = await recordEndedInterviews(deps, now);
  const due = await sendDueSurveys(deps, now);
  return { recorded: recorded.recorded, reminded: recorded.reminded, ...due };
}

async function recordEndedInterviews(
  deps: SurveyDeps,
  now: number,
): Promise<{ recorded: number; reminded: number }> {
  const ended = await endedInterviews(deps.db, {
    endedAfter: now - SURVEY_LOOKBACK_MS,
    endedUntil: now,
  });
  if (ended.length === 0) return { recorded: 0, reminded: 0 };
  const known = new Set(
    (
      await surveysDb(deps.db)
        .selectFrom("survey_invitations")
        .select("booking_id")
        .where(
          "booking_id",
          "in",
          ended.map((e) => e.bookingId),
        )
        .execute()
    ).map((r) => r.booking_id),
  );
  let recorded = 0;
  let reminded = 0;
  for (const interview of ended) {
    if (known.has(interview.bookingId)) continue;
    const outcome = await surveysDb(deps.db)
      .transaction()
      .execute(async (trx) => {
        const settings = await surveySettings(trx, interview.organisationId);
        const id = newId("sinv");
        const inserted = await trx
          .insertInto("survey_invitations")
          .values({
            id,
            organisation_id: interview.organisationId,
            booking_id: interview.bookingId,
            request_id: interview.requestId,
            job_id: interview.jobId,
            candidate_id: interview.candidateId,
            ended_at: interview.endedAt,
            send_at: interview.endedAt + settings.delayHours * HOUR_MS,
            status: "scheduled",
            skipped_reason: null,
            token_hash: null,
            expires_at: null,
            sent_at: null,
            created_at: now,
          })
          .onConflict((oc) => oc.column("booking_id").doNothing())
          .executeTakeFirst();
        // Another sweep recorded it first.
        if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) return { reminded: 0 };
        for (const userId of interview.interviewerIds) {
          await trx
            .insertInto("survey_interviewers")
            .values({
              organisation_id: interview.organisationId,
              invitation_id: id,
              user_id: userId,
              reminded_at: null,
            })
            .execute();
        }
        if (!settings.interviewerReminders) return { reminded: 0 };
        return { reminded: await remindInterviewers(deps, trx, id, interview, now) };
      });
    recorded += 1;
    reminded += outcome.reminded;
  }
  return { recorded, reminded };
}

/** One feedback reminder per interviewer still in the organisation; returns how many were queued. */
async function remindInterviewers(
  deps: SurveyDeps,
  trx: AnyHandle,
  invitationId: string,
  interview: {
    organisationId: string;
    requestId: string;
    jobId: string;
    candidateId: string;
    interviewerIds: string[];
  },
  now: number,
): Promise<number> {
  const orgId = mintOrgId(interview.organisationId);
  const people = await memberContacts(trx, orgId, interview.interviewerIds);
  if (people.size === 0) return 0;
  const job = (await jobFacts(trx, orgId, interview.jobId))?.title ?? "the job";
  const candidate =
    (await candidateFacts(trx, orgId, interview.candidateId))?.name ?? "the candidate";
  const link = `${deps.publicUrl}/app/requests/${encodeURIComponent(interview.requestId)}`;
  let queued = 0;
  for (const person of people.values()) {
    const text = `Hello ${person.name},\n\nYour interview with ${candidate} for ${job} has ended. Please write down your feedback while it is fresh, and share it with the recruiter:\n\n${link}\n\nYou get this reminder once per interview. Your organisation's admins can turn these reminders off on the Surveys page.\n`;
    const queuedMail = await enqueueMail(
      trx,
      {
        organisationId: orgId,
        kind: REMINDER_MAIL_KIND,
        to: person.email,
        subject: `Your feedback on ${candidate} (${job})`,
        text,
        html: `<p>${escapeHtml(`Hello ${person.name},`)}</p><p>${escapeHtml(`Your interview with ${candidate} for ${job} has ended. Please write down your feedback while it is fresh, and share it with the recruiter:`)}</p><p><a href="${escapeHtml(link)}">${escapeHtml(link)}</a></p><p>${escapeHtml("You get this reminder once per interview. Your organisation's admins can turn these reminders off on the Surveys page.")}</p>`,
        idempotencyKey: `survey-reminder:${invitationId}:${person.userId}`,
      },
      now,
      deps.mailFrom,
    );
    if (queuedMail.messageId === null) continue;
    queued += 1;
    await surveysDb(trx)
      .updateTable("survey_interviewers")
      .set({ reminded_at: now })
      .where("invitation_id", "=", invitationId)
      .where("user_id", "=", person.userId)
      .execute();
  }
  return queued;
}

/** Why an invitation due now is not sent, or whom to send it to. */
async function reasonToSkip(
  trx: AnyHandle,
  row: { organisation_id: string; booking_id: string; candidate_id: string },
): Promise<{ reason: string } | { email: string; name: string }> {
  const settings = await surveySettings(trx, row.organisation_id);
  if (!settings.candidateSurveys) return { reason: "surveys-off" };
  if (!(await isBookingActive(trx, row.organisation_id, row.booking_id))) {
    return { reason: "cancelled" };
  }
  const candidate = await candidateFacts(trx, row.organisation_id, row.candidate_id);
  if (candidate === undefined || candidate.email.trim() === "") return { reason: "no-candidate" };
  if (await isRestricted(trx, candidate.email)) return { reason: "restricted" };
  if (await hasObjected(trx, candidate.email)) return { reason: "objected" };
  const optedOut = await surveysDb(trx)
    .selectFrom("survey_opt_outs")
    .select("candidate_id")
    .where("organisation_id", "=", row.organisation_id)
    .where("candidate_id", "=", row.candidate_id)
    .executeTakeFirst();
  if (optedOut !== undefined) return { reason: "opted-out" };
  return { email: candidate.email, name: candidate.name };
}

async function sendDueSurveys(
  deps: SurveyDeps,
  now: number,
): Promise<{ sent: number; skipped: number }> {
  const due = await surveysDb(deps.db)
    .selectFrom("survey_invitations")
    .select(["id"])
    .where("status", "=", "scheduled")
    .where("send_at", "<=", now)
    .orderBy("send_at")
    .limit(200)
    .execute();
  let sent = 0;
  let skipped = 0;
  for (const { id } of due) {
    const outcome = await surveysDb(deps.db)
      .transaction()
      .execute((trx) => sendOne(deps, trx, id, now));
    if (outcome === "sent") sent += 1;
    if (outcome === "skipped") skipped += 1;
  }
  return { sent, skipped };
}

async function sendOne(
  deps: SurveyDeps,
  trx: AnyHandle,
  id: string,
  now: number,
): Promise<"sent" | "skipped" | "taken"> {
  const db = surveysDb(trx);
  const row = await db
    .selectFrom("survey_invitations")
    .selectAll()
    .where("id", "=", id)
    .where("status", "=", "scheduled")
    .executeTakeFirst();
  if (row === undefined) return "taken";
  const skip = async (reason: string) => {
    const done = await db
      .updateTable("survey_invitations")
      .set({ status: "skipped", skipped_reason: reason, token_hash: null, expires_at: null })
      .where("id", "=", id)
      .executeTakeFirst();
    return Number(done.numUpdatedRows) === 1 ? ("skipped" as const) : ("taken" as const);
  };
  const decision = await reasonToSkip(trx, row);
  if ("reason" in decision) return skip(decision.reason);
  const token = newSecretToken(SURVEY_TOKEN_PREFIX);
  // Claims the invitation: of two sweeps, only the one whose update changes it sends.
  const claimed = await db
    .updateTable("survey_invitations")
    .set({
      status: "sent",
      token_hash: tokenHash(token),
      expires_at: now + SURVEY_LINK_TTL_MS,
      sent_at: now,
    })
    .where("id", "=", id)
    .where("status", "=", "scheduled")
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1) return "taken";
  const orgId = mintOrgId(row.organisation_id);
  const organisation = (await organisationName(trx, orgId)) ?? "the company";
  const job = (await jobFacts(trx, orgId, row.job_id))?.title ?? "the job";
  const link = `${deps.publicUrl}/survey/${token}`;
  const intro = `Thank you for interviewing with ${organisation} for ${job}. Would you tell us how it went? It takes a minute: five short questions, all but the first optional.`;
  const after = `Your answer goes to ${organisation}. The link works for 30 days. If you would rather not be asked again, the page has a button for that.`;
  const queued = await enqueueMail(
    trx,
    {
      organisationId: orgId,
      kind: SURVEY_MAIL_KIND,
      to: decision.email,
      subject: `How was your interview with ${organisation}?`,
      text: `Hello ${decision.name},\n\n${intro}\n\n${link}\n\n${after}\n`,
      html: `<p>${escapeHtml(`Hello ${decision.name},`)}</p><p>${escapeHtml(intro)}</p><p><a href="${escapeHtml(link)}">Answer the survey</a></p><p>${escapeHtml(after)}</p>`,
      idempotencyKey: `${SURVEY_MAIL_KIND}:${id}`,
    },
    now,
    deps.mailFrom,
  );
  if (queued.messageId === null) return skip(queued.notSent);
  return "sent";
}

/** Sets up the sweep (at start: kept as it is when already scheduled). */
export async function scheduleSurveySweep(
  handle: AnyHandle,
  runAt: number,
  now: number,
  keepExisting = true,
): Promise<void> {
  await scheduleJob(
    surveysDb(handle),
    { organisationId: null, kind: SURVEY_SWEEP_JOB, key: SURVEY_SWEEP_JOB, runAt, payload: {} },
    now,
    { keepExisting },
  );
}

/** The sweep as a scheduled job: one pass, then the next one fifteen minutes later. */
export function surveySweepHandler(
  deps: SurveyDeps & { log?: (line: string) => void },
): JobHandler {
  return async () => {
    const outcome = await runSurveySweep(deps);
    if (outcome.recorded + outcome.sent + outcome.skipped > 0) {
      deps.log?.(
        `ally: surveys: ${outcome.recorded} interviews ended, ${outcome.reminded} reminders, ${outcome.sent} surveys sent, ${outcome.skipped} not sent`,
      );
    }
    const now = deps.clock.now();
    await scheduleSurveySweep(deps.db, now + SURVEY_SWEEP_EVERY_MS, now, false);
  };
}
