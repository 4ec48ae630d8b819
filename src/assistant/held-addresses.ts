/**
 * The addresses the assistant keeps (its conversations' candidates), for finding erased people
 * again after a restore (privacy/reapply-erasures.ts).
 */
import { heldAddresses } from "../privacy/held-addresses.js";
import { assistantDb } from "./db.js";

export const assistantAddresses = heldAddresses(assistantDb, {
  assistant_conversations: ["candidate_email"],
});
