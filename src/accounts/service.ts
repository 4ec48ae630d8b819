/**
 * The accounts service: sign-up, email verification, sign-in (with an optional second factor),
 * sessions, password reset, members and roles, invitations, API tokens. Policy lives here;
 * the web layer only parses input and renders results.
 *
 * A thin facade over small operation files, each given only what it uses:
 * - sign-up.ts, email-tokens.ts: sign-up and email verification;
 * - password-reset.ts: forgotten passwords;
 * - sessions.ts, sign-in.ts, second-factor.ts: sessions, sign-in and the second factor;
 * - members.ts, invitations.ts: members, roles and invitations;
 * - api-tokens.ts: API tokens;
 * - member-removal.ts: an admin removes a member (other modules' parts wired in as steps);
 * - account-closure.ts: a user closes their own account;
 * - org-closure.ts: an owner closes the organisation (erased after a grace period);
 * - profile.ts: a member's own details (email changes confirmed by link), the organisation's;
 * - reads.ts: what other modules read (members by id, membership, the organisation's name).
 * Every operation queries through an `AccountsStore` (db.ts) typed to the accounts tables only;
 * the audit trail and the outbox are reached through it, in the same transaction.
 */
import type { Clock } from "../clock.js";
import type { MailLimits } from "../mail/send-limits.js";
import type { SecretStore } from "../secrets/secret-store.js";
import { accountClosureOperations } from "./account-closure.js";
import { apiTokenOperations } from "./api-tokens.js";
import { type AnyHandle, accountsStore } from "./db.js";
import { invitationOperations } from "./invitations.js";
import { type MemberRemovalStep, memberRemovalOperations } from "./member-removal.js";
import { memberOperations } from "./members.js";
import {
  DEFAULT_ORGANISATION_GRACE_MS,
  type OrganisationErasureStep,
  orgClosureOperations,
} from "./org-closure.js";
import { passwordResetOperations } from "./password-reset.js";
import { profileOperations } from "./profile.js";
import { secondFactorOperations } from "./second-factor.js";
import { sessionOperations } from "./sessions.js";
import { signInOperations } from "./sign-in.js";
import { signUpOperations } from "./sign-up.js";

export type {
  Actor,
  ApiTokenInfo,
  Invitation,
  IssuedSession,
  Member,
  RequestMeta,
  SessionContext,
} from "./types.js";

export interface AccountsDeps {
  db: AnyHandle;
  clock: Clock;
  /** Seals second-factor keys at rest (envelope encryption, secrets/secret-store.ts). */
  box: SecretStore;
  publicUrl: string;
  mailFrom: string;
  sessionTtlMs: number;
  /** How much mail may go to one address and one organisation (mail/send-limits.ts). */
  mailLimits?: MailLimits;
  /** What other modules remove when a member leaves (app/compose.ts); none when absent. */
  memberRemovalSteps?: readonly MemberRemovalStep[];
  /** How long a closing organisation is kept before it is erased; 30 days when absent. */
  organisationGraceMs?: number;
  /** What other modules erase of a closed organisation (app/compose.ts); none when absent. */
  organisationErasureSteps?: readonly OrganisationErasureStep[];
}

export type { MemberRemovalStep, OrganisationErasureStep };

export type AccountsService = ReturnType<typeof createAccountsService>;

export function createAccountsService(deps: AccountsDeps) {
  const store = accountsStore(deps);
  const base = { store, clock: deps.clock };
  const signingIn = { ...base, sessionTtlMs: deps.sessionTtlMs };
  const link = (path: string) => `${deps.publicUrl}${path}`;
  const removal = { ...base, memberRemovalSteps: deps.memberRemovalSteps ?? [] };
  const organisationErasureSteps = deps.organisationErasureSteps ?? [];
  return {
    ...signUpOperations({ ...signingIn, link }),
    ...passwordResetOperations({ ...base, link }),
    ...sessionOperations(base),
    ...signInOperations({ ...signingIn, box: deps.box }),
    ...secondFactorOperations({ ...base, box: deps.box }),
    ...memberOperations(base),
    ...invitationOperations({ ...signingIn, link }),
    ...apiTokenOperations(base),
    ...profileOperations({ ...base, link }),
    ...memberRemovalOperations(removal),
    ...accountClosureOperations({ ...removal, organisationErasureSteps }),
    ...orgClosureOperations({
      ...base,
      organisationGraceMs: deps.organisationGraceMs ?? DEFAULT_ORGANISATION_GRACE_MS,
      organisationErasureSteps,
    }),
  };
}
