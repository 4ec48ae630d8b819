/**
 * Committing the option a caller chose, shared by `book` and `reschedule`: a repeat of a
 * committed call (same idempotency key) answers as that call did; a time gone since it was
 * offered is recorded and refused with fresh options (SLOT_TAKEN).
 */
import type { AppError } from "../../errors.js";
import {
  type BookingContext,
  type Caller,
  dbErrorCode,
  sqliteUnique,
  TakenInside,
  writeTransaction,
} from "../context.js";
import type { BookingDb } from "../db.js";
import { computeOptions, findOption, readerFor } from "../options.js";
import { claimsOf, type SlotClaim } from "../problem.js";
import { type KeyTable, keyHolder, madeBefore, requestRow } from "../request-repository.js";
import type { Option } from "../schemas.js";
import type { InterviewRequestsTable } from "../tables.js";
import { type BookingResult, refused, resultOf } from "./shared.js";

export type WriteOutcome = { taken: string } | { done: true } | { replay: true };

/** What booking and rescheduling do differently; `choose` does the rest. */
export interface Choice {
  action: "book" | "reschedule";
  /** Where a committed call leaves its idempotency key. */
  keyTable: KeyTable;
  /** The refusal when the request cannot take this action now, or the booking the choice moves. */
  ready(
    row: InterviewRequestsTable,
  ): Promise<{ refusal: AppError } | { moving: string | undefined }>;
  /** Inside the transaction, with the request locked: writes the choice or says why not. */
  write(
    trx: BookingDb,
    locked: InterviewRequestsTable,
    option: Option,
    claims: SlotClaim[],
  ): Promise<WriteOutcome>;
}

export async function choose(
  ctx: BookingContext,
  caller: Caller,
  requestId: string,
  optionId: string,
  key: string,
  choice: Choice,
): Promise<BookingResult> {
  const { db } = ctx;
  const orgId = caller.orgId;
  const keyUsed = async () => (await keyHolder(db, choice.keyTable, orgId, key)) === requestId;
  if (await madeBefore(db, choice.keyTable, orgId, requestId, key)) {
    return resultOf(ctx, orgId, requestId);
  }
  const row = await requestRow(db, orgId, requestId);
  const ready = await choice.ready(row);
  if ("refusal" in ready) {
    // A double submit whose twin committed since the check above.
    if (await keyUsed()) return resultOf(ctx, orgId, requestId);
    throw ready.refusal;
  }
  const { option, fresh } = await findOption(ctx, row, caller, optionId, ready.moving);
  if (option === undefined) {
    // A double submit whose twin committed meanwhile: the time is its own booking's now.
    if (await keyUsed()) return resultOf(ctx, orgId, requestId);
    throw await refused(ctx, caller, requestId, choice.action, optionId, fresh?.options ?? []);
  }
  let outcome: WriteOutcome;
  try {
    outcome = await writeTransaction(ctx, async (trx) =>
      choice.write(
        trx,
        await requestRow(trx, orgId, requestId, { lock: true, dialect: ctx.dialect }),
        option,
        claimsOf(option),
      ),
    );
  } catch (error) {
    const code = dbErrorCode(error);
    // Another transaction won: the exclusion constraint (PostgreSQL) or the same key.
    if (error instanceof TakenInside) outcome = { taken: error.message };
    else if (code === "23P01") outcome = { taken: "another booking holds that time" };
    else if ((code === "23505" || sqliteUnique(error)) && (await keyUsed())) {
      return resultOf(ctx, orgId, requestId);
    } else throw error;
  }
  if ("taken" in outcome) {
    const again = await computeOptions(
      ctx,
      await requestRow(db, orgId, requestId),
      readerFor(caller, row),
      ready.moving,
    );
    throw await refused(
      ctx,
      caller,
      requestId,
      choice.action,
      option.id,
      again.options,
      outcome.taken,
    );
  }
  return resultOf(ctx, orgId, requestId);
}
