/**
 * The marketing module's part of erasing a closed organisation (accounts/org-closure.ts): its
 * lists, subscribers, messages, deliveries, opens and suppressions, children first. Nothing of
 * the organisation's is sent again once it is closed, so its suppression list goes with it.
 */
import type { OrgId } from "../ids.js";
import { deleteOrganisationRows } from "../store/organisation-rows.js";
import { type AnyHandle, marketingDb } from "./db.js";

export async function eraseMarketingOfOrganisation(
  handle: AnyHandle,
  orgId: OrgId,
): Promise<{ tables: Record<string, number> }> {
  const tables = await deleteOrganisationRows(
    marketingDb(handle),
    [
      "marketing_opens",
      "marketing_deliveries",
      "marketing_messages",
      "marketing_subscribers",
      "marketing_suppressions",
      "marketing_lists",
    ],
    orgId,
  );
  return { tables };
}
