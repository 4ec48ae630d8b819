/**
 * The second factor (TOTP, RFC 6238): turning it on and off, and claiming a one-time code so
 * it cannot be used twice. The key is sealed at rest by the secrets module; turning the factor
 * on or off revokes the account's API tokens, which were made under the old rules.
 */
import { AppError, invalid } from "../errors.js";
import { type SecretStore, totpSecretBinding } from "../secrets/secret-store.js";
import type { AccountsDb } from "./db.js";
import { verifyPassword } from "./passwords.js";
import { SECOND_FACTOR_OFF_RATE, takeRate } from "./rate-limit.js";
import { requireSession, revokeAllApiTokens } from "./token-scopes.js";
import { newTotpSecret, otpauthUri, TOTP_STEP_SECONDS, verifyTotp } from "./totp.js";
import type { AccountsBase, Actor, RequestMeta } from "./types.js";

export interface SecondFactorDeps extends AccountsBase {
  /** Seals second-factor keys at rest (envelope encryption, secrets/secret-store.ts). */
  box: SecretStore;
}

/**
 * Records that a user's one-time code for `step` was used; false when that step, or a later
 * one, already was (a replayed or older code). Kept with the rate limits, as a window starting
 * at the step, so the daily purge forgets it.
 */
export async function claimTotpStep(
  db: AccountsDb,
  userId: string,
  step: number,
): Promise<boolean> {
  const key = `totp-used:${userId}`;
  const stepStart = step * TOTP_STEP_SECONDS * 1000;
  const later = await db
    .selectFrom("rate_limits")
    .select("window_start")
    .where("key", "=", key)
    .where("window_start", ">=", stepStart)
    .executeTakeFirst();
  if (later !== undefined) return false;
  // Two attempts with the same code at once: the primary key lets one of them in.
  const inserted = await db
    .insertInto("rate_limits")
    .values({ key, window_start: stepStart, count: 1 })
    .onConflict((oc) => oc.columns(["key", "window_start"]).doNothing())
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
}

/** Stores (or clears, with null) the sealed key and revokes the account's API tokens, at once. */
async function setTotpSecret(
  deps: AccountsBase,
  userId: string,
  sealed: string | null,
  now: number,
): Promise<void> {
  await deps.store.transaction(async ({ db }) => {
    await db.updateTable("users").set({ totp_secret: sealed }).where("id", "=", userId).execute();
    await revokeAllApiTokens(db, userId, now);
  });
}

export function secondFactorOperations(deps: SecondFactorDeps) {
  const { store, clock, box } = deps;
  return {
    /** Step one of turning on the second factor: a secret to show, not yet stored. */
    beginSecondFactor(email: string): { secret: string; uri: string } {
      const secret = newTotpSecret();
      return { secret, uri: otpauthUri(secret, email) };
    },

    async enableSecondFactor(
      actor: Actor,
      secret: string,
      code: string,
      meta: RequestMeta,
    ): Promise<void> {
      requireSession(actor);
      const now = clock.now();
      if (!/^[A-Z2-7]{32}$/.test(secret))
        throw invalid("secret", "The setup key is malformed; start again.");
      if (!verifyTotp(secret, code, now)) {
        throw invalid(
          "code",
          "That code is not right. Check the time on your phone and try the current code.",
        );
      }
      const sealed = await box.seal(secret, totpSecretBinding(actor.userId));
      await setTotpSecret(deps, actor.userId, sealed, now);
      await store.audit(
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "second-factor-enabled",
          ip: meta.ip,
        },
        now,
      );
    },

    /** Turns the second factor off (the password again, rate-limited); revokes API tokens. */
    async disableSecondFactor(actor: Actor, password: string, meta: RequestMeta): Promise<void> {
      requireSession(actor);
      const now = clock.now();
      const key = `second-factor-off:${actor.userId}`;
      if (!(await takeRate(store.db, key, SECOND_FACTOR_OFF_RATE, now))) {
        throw new AppError(
          "RATE_LIMITED",
          "Too many attempts to turn off two-step sign-in. Wait 15 minutes and try again.",
          { field: "password" },
        );
      }
      const user = await store.db
        .selectFrom("users")
        .select("password_hash")
        .where("id", "=", actor.userId)
        .executeTakeFirstOrThrow();
      if (!(await verifyPassword(user.password_hash, password))) {
        throw new AppError("INVALID_CREDENTIALS", "That password is not right.", {
          field: "password",
        });
      }
      await setTotpSecret(deps, actor.userId, null, now);
      await store.audit(
        {
          organisationId: actor.orgId,
          actorUserId: actor.userId,
          action: "second-factor-disabled",
          ip: meta.ip,
        },
        now,
      );
    },

    async hasSecondFactor(actor: Actor): Promise<boolean> {
      const user = await store.db
        .selectFrom("users")
        .select("totp_secret")
        .where("id", "=", actor.userId)
        .executeTakeFirstOrThrow();
      return user.totp_secret !== null;
    },
  };
}
