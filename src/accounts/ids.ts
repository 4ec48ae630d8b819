/** Identifiers moved to `src/ids.ts`, shared by every module; kept here for older imports. */
export { mintOrgId, newId, type OrgId } from "../ids.js";
