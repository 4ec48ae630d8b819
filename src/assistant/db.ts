/**
 * The assistant's database handle, typed to its own tables (settings, conversations, messages,
 * escalations): a query on another module's table does not compile. Functions take the shared
 * `AnyHandle` (a connection or a transaction) and narrow it; what the assistant needs from
 * another module (the outbox, scheduled jobs, requests) it gets from that module's exported
 * functions, passing the same handle.
 */
import type { Kysely } from "kysely";
import type { AnyHandle } from "../store/handle.js";
import type { AssistantTables } from "./tables.js";

export type { AnyHandle };

/** A handle that can query the assistant's tables and no other. */
export type AssistantDb = Kysely<AssistantTables>;

/**
 * The same connection or transaction, typed to the assistant's tables. Kysely's type parameter
 * is invariant, so narrowing needs this one cast; the runtime object is unchanged.
 */
export function assistantDb(handle: AnyHandle): AssistantDb {
  return handle as unknown as AssistantDb;
}
