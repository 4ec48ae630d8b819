/**
 * The scheduled side of privacy deadlines: a sweep that runs every six hours finds the open
 * requests near their deadline or past it (privacy/deadline-notices.ts) and schedules one
 * notice job per request and state, keyed `privacy-deadline-notice:<request>:<state>`. The key
 * is kept once the job has run, so a request's admins hear of each state once, however often
 * the sweep runs and on however many servers.
 */
import { z } from "zod";
import { privacyAnswerers } from "../accounts/privacy-answerers.js";
import type { Clock } from "../clock.js";
import { type JobHandler, scheduleJob } from "../jobs/scheduled-jobs.js";
import { type AnswerersOf, dueNotices, sendDeadlineNotice } from "../privacy/deadline-notices.js";
import type { PrivacyRequestDeps } from "../privacy/requests/deps.js";
import type { AnyHandle } from "../store/handle.js";

export const DEADLINE_SWEEP_JOB = "privacy-deadline-sweep";
export const DEADLINE_NOTICE_JOB = "privacy-deadline-notice";
export const DEADLINE_SWEEP_EVERY_MS = 6 * 3_600_000;

/** An organisation's owners and admins; the operator's privacy contact for Ally's own. */
export function answerersFor(privacyContact: string): AnswerersOf {
  return async (db, organisationId) =>
    organisationId === null ? [privacyContact] : privacyAnswerers(db, organisationId);
}

/** Sets up the sweep (at start: kept as it is when already scheduled). */
export async function scheduleDeadlineSweep(
  db: AnyHandle,
  runAt: number,
  now: number,
  keepExisting = true,
): Promise<void> {
  await scheduleJob(
    db,
    { organisationId: null, kind: DEADLINE_SWEEP_JOB, key: DEADLINE_SWEEP_JOB, runAt, payload: {} },
    now,
    { keepExisting },
  );
}

/** Schedules a notice for each request to tell about, then the next sweep. */
export function deadlineSweepHandler(deps: { db: AnyHandle; clock: Clock }): JobHandler {
  return async () => {
    const now = deps.clock.now();
    for (const notice of await dueNotices(deps.db, now)) {
      await scheduleJob(
        deps.db,
        {
          organisationId: notice.organisationId,
          kind: DEADLINE_NOTICE_JOB,
          key: `${DEADLINE_NOTICE_JOB}:${notice.requestId}:${notice.state}`,
          runAt: now,
          payload: { requestId: notice.requestId, state: notice.state },
        },
        now,
        { keepExisting: true },
      );
    }
    await scheduleDeadlineSweep(deps.db, now + DEADLINE_SWEEP_EVERY_MS, now, false);
  };
}

const noticePayload = z.object({
  requestId: z.string().min(1),
  state: z.enum(["near-due", "overdue"]),
});

/** Emails one request's answerers about its state (when it still holds). */
export function deadlineNoticeHandler(
  privacy: PrivacyRequestDeps,
  answerersOf: AnswerersOf,
): JobHandler {
  return async (job) => {
    const payload = noticePayload.parse(job.payload);
    await sendDeadlineNotice(privacy, answerersOf, {
      requestId: payload.requestId,
      organisationId: job.organisationId,
      state: payload.state,
    });
  };
}
