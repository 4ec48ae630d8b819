/**
 * The candidate says none of the times work: their own ranges and words go on the timeline as
 * "times-proposed" and to the recruiter by email, in one transaction; the status stays.
 */
import { invalid } from "../../errors.js";
import { parseInput } from "../../hiring/parse-input.js";
import { candidateFacts } from "../../hiring/scheduling-facts.js";
import { type BookingContext, type Caller, iso, writeTransaction } from "../context.js";
import { requireAllowed } from "../lifecycle.js";
import { readable } from "../readable.js";
import { mailRecruiter } from "../recruiter-mail.js";
import { addEvent, requestRow } from "../request-repository.js";
import { type ProposeTimesInput, proposeTimesInput } from "../schemas.js";

/** @throws AppError VALIDATION_FAILED (nothing given), REQUEST_NOT_OPEN (cancelled, completed). */
export async function proposeTimes(
  ctx: Pick<BookingContext, "db" | "dialect" | "clock" | "mailFrom" | "publicUrl">,
  caller: Caller,
  requestId: string,
  input: ProposeTimesInput,
): Promise<void> {
  const value = parseInput(proposeTimesInput, input);
  if (value.ranges.length === 0 && value.message === null) {
    throw invalid("ranges", "Give at least one time that works, or a message");
  }
  const row = await requestRow(ctx.db, caller.orgId, requestId);
  requireAllowed({ status: row.status, booking: null }, "proposeTimes");
  const ranges = value.ranges.map((r) => ({
    start: iso(Date.parse(r.start)),
    end: iso(Date.parse(r.end)),
  }));
  const candidate = await candidateFacts(ctx.db, caller.orgId, row.candidate_id);
  const who = candidate?.name ?? "The candidate";
  await writeTransaction(ctx, async (trx) => {
    await addEvent(trx, ctx.clock.now(), caller, requestId, "times-proposed", {
      ranges,
      message: value.message,
    });
    await mailRecruiter(ctx, trx, caller.orgId, row, {
      kind: "times-proposed",
      subject: `${who} proposed other interview times`,
      paragraphs: [
        `${who} says none of the offered times work.`,
        ...(ranges.length === 0
          ? []
          : [
              `Times that would work for them:\n${ranges
                .map((r) => `- ${readable(r.start)} to ${readable(r.end)}`)
                .join("\n")}`,
            ]),
        ...(value.message === null ? [] : [`Their message:\n${value.message}`]),
      ],
    });
  });
}
