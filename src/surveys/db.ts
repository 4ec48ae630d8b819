/**
 * The surveys module's database handle, typed to its own tables: a query on another module's
 * table does not compile. Functions take the shared `AnyHandle` and narrow it.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { SurveysTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the surveys tables and no other. */
export type SurveysDb = Kysely<SurveysTables>;

/**
 * The same connection or transaction, typed to the surveys tables. Kysely's type parameter is
 * invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function surveysDb(handle: AnyHandle): SurveysDb {
  return handle as unknown as SurveysDb;
}
