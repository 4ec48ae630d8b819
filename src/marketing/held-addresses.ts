/**
 * The addresses the marketing module keeps (its subscribers), for finding erased people again
 * after a restore (privacy/reapply-erasures.ts). The suppression list holds only keyed hashes.
 */
import { heldAddresses } from "../privacy/held-addresses.js";
import { marketingDb } from "./db.js";

export const marketingAddresses = heldAddresses(marketingDb, {
  marketing_subscribers: ["email"],
});
