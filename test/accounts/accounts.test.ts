/**
 * The accounts service on every database: sign-up, verification, sign-in with and without a
 * second factor, rate limits, password reset, invitations, roles, API tokens, the audit log,
 * and how credentials are kept at rest.
 */
import {
  type KyselyPlugin,
  OperationNodeTransformer,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
} from "kysely";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type AccountsService, createAccountsService } from "../../src/accounts/service.js";
import { tokenHash } from "../../src/accounts/tokens.js";
import { totpAt } from "../../src/accounts/totp.js";
import type { ErrorCode } from "../../src/errors.js";
import { listAudit, truncateIp } from "../../src/privacy/audit-log.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore, totpSecretBinding } from "../../src/secrets/secret-store.js";
import { testDatabases } from "../support/databases.js";
import {
  addMember,
  buildSignUp,
  createWorld,
  linkTokenFromMail,
  MASTER_KEY,
  META,
  type Person,
  send,
  signUpOwner,
  snapshot,
  T0,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** Fails with the given AppError code (and field, when given). */
async function expectAppError(
  promise: Promise<unknown>,
  code: ErrorCode,
  field?: string,
): Promise<void> {
  await expect(promise).rejects.toMatchObject(field === undefined ? { code } : { code, field });
}

/** Makes every insert into `table` fail, to show what a transaction leaves behind. */
function failingInsertsInto(table: string): KyselyPlugin {
  return {
    transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
      const node = args.node;
      if (node.kind === "InsertQueryNode") {
        const into = node.into as { table?: { identifier?: { name?: string } } } | undefined;
        if (into?.table?.identifier?.name === table)
          throw new Error(`refused insert into ${table}`);
      }
      return new OperationNodeTransformer().transformNode(node);
    },
    async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
      return args.result;
    },
  };
}

describe.each(databases)("accounts on $dialect", (database) => {
  let world: World;
  let accounts: AccountsService;

  beforeAll(async () => {
    world = await createWorld(database);
    accounts = world.deps.accounts;
  });
  afterAll(async () => {
    await world?.drop();
  });
  beforeEach(() => {
    world.clock.set(T0);
  });

  const count = async (table: "organisations" | "users" | "memberships" | "outbox") =>
    Number(
      (
        await world.store.db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    );

  describe("sign-up", () => {
    it("creates the organisation, its owner and the verification email together", async () => {
      const input = buildSignUp({ company: "Fresh Start Ltd" });
      const { userId, orgId } = await accounts.signUp(input, META);
      const org = await world.store.db
        .selectFrom("organisations")
        .selectAll()
        .where("id", "=", orgId)
        .executeTakeFirstOrThrow();
      expect(org.name).toBe("Fresh Start Ltd");
      const membership = await world.store.db
        .selectFrom("memberships")
        .selectAll()
        .where("user_id", "=", userId)
        .executeTakeFirstOrThrow();
      expect(membership).toMatchObject({ organisation_id: orgId, role: "owner" });
      const mail = await world.store.db
        .selectFrom("outbox")
        .selectAll()
        .where("to_address", "=", input.email)
        .execute();
      expect(mail).toHaveLength(1);
      expect(mail[0]).toMatchObject({ kind: "verify-email", sent_at: null });
      expect(mail[0]?.text_body).toContain("http://ally.test/verify-email?token=");
    });

    it("leaves nothing behind when a step of the sign-up fails", async () => {
      const failing = createAccountsService({
        db: world.store.db.withPlugin(failingInsertsInto("outbox")),
        clock: world.clock,
        box: createSecretStore({ db: world.store.db, keyring: singleKeyring(MASTER_KEY) }),
        publicUrl: "http://ally.test",
        mailFrom: "Ally <ally@ally.test>",
        sessionTtlMs: HOUR,
      });
      const before = await snapshot(world);
      await expect(failing.signUp(buildSignUp(), META)).rejects.toThrow(/refused insert/);
      expect(await snapshot(world)).toEqual(before);
    });

    it("refuses an email that already has an account, naming the email field", async () => {
      const first = buildSignUp();
      await accounts.signUp(first, META);
      const users = await count("users");
      const organisations = await count("organisations");
      await expectAppError(
        accounts.signUp(buildSignUp({ email: first.email }), META),
        "EMAIL_TAKEN",
        "email",
      );
      expect(await count("users")).toBe(users);
      expect(await count("organisations")).toBe(organisations);
    });

    it("lets exactly one of several concurrent sign-ups with the same email succeed", async () => {
      const email = `race-${Date.now()}@example.com`;
      const organisations = await count("organisations");
      const results = await Promise.allSettled(
        Array.from({ length: 5 }, () => accounts.signUp(buildSignUp({ email }), META)),
      );
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      for (const failure of results.filter((r) => r.status === "rejected")) {
        expect((failure as PromiseRejectedResult).reason).toMatchObject({
          code: "EMAIL_TAKEN",
          field: "email",
        });
      }
      expect(await count("organisations")).toBe(organisations + 1);
      const mails = await world.store.db
        .selectFrom("outbox")
        .select("id")
        .where("to_address", "=", email)
        .execute();
      expect(mails).toHaveLength(1);
    });
  });

  describe("verification and sign-in", () => {
    it("refuses to sign in before the email is confirmed", async () => {
      const input = buildSignUp();
      await accounts.signUp(input, META);
      await expectAppError(
        accounts.signIn({ email: input.email, password: input.password }, META),
        "EMAIL_NOT_VERIFIED",
        "email",
      );
    });

    it("accepts the verification link once, and signs the owner in", async () => {
      const input = buildSignUp();
      await accounts.signUp(input, META);
      const token = await linkTokenFromMail(world, input.email, "verify-email");
      const session = await accounts.verifyEmail(token, META);
      expect((await accounts.session(session.token))?.userEmail).toBe(input.email);
      await expectAppError(accounts.verifyEmail(token, META), "TOKEN_INVALID");
      const again = await accounts.signIn({ email: input.email, password: input.password }, META);
      expect(again.pendingSecondFactor).toBe(false);
    });

    it("refuses a verification link after 48 hours", async () => {
      const input = buildSignUp();
      await accounts.signUp(input, META);
      const token = await linkTokenFromMail(world, input.email, "verify-email");
      world.clock.advance(48 * HOUR);
      await expectAppError(accounts.verifyEmail(token, META), "TOKEN_INVALID");
    });

    it("refuses a wrong password and an unknown email alike", async () => {
      const owner = await signUpOwner(world);
      await expectAppError(
        accounts.signIn({ email: owner.email, password: "not the password!" }, META),
        "INVALID_CREDENTIALS",
        "password",
      );
      await expectAppError(
        accounts.signIn({ email: "nobody-at-all@example.com", password: owner.password }, META),
        "INVALID_CREDENTIALS",
        "password",
      );
    });

    it("slows sign-in for an address after 5 failures, until its wait passes", async () => {
      const owner = await signUpOwner(world);
      const meta = { ip: "198.51.100.10", userAgent: "vitest" };
      for (let attempt = 1; attempt <= 5; attempt++) {
        await expectAppError(
          accounts.signIn({ email: owner.email, password: `wrong password ${attempt}` }, meta),
          "INVALID_CREDENTIALS",
        );
      }
      // The 6th attempt from the same network waits, even with the right password (the
      // schedule, and other networks, are in account-security.test.ts).
      await expectAppError(
        accounts.signIn({ email: owner.email, password: owner.password }, meta),
        "RATE_LIMITED",
      );
      world.clock.advance(30_000);
      const session = await accounts.signIn({ email: owner.email, password: owner.password }, meta);
      expect(session.pendingSecondFactor).toBe(false);
    });

    it("answers 429 on the sign-in page once the limit is reached", async () => {
      const owner = await signUpOwner(world);
      let last = 0;
      for (let attempt = 1; attempt <= 11; attempt++) {
        last = (
          await send(world.ally, "POST", "/login", {
            form: { email: owner.email, password: `wrong password ${attempt}` },
          })
        ).status;
      }
      expect(last).toBe(429);
    });
  });

  describe("second factor (TOTP)", () => {
    async function ownerWithTotp(): Promise<Person & { secret: string }> {
      const owner = await signUpOwner(world);
      const { secret } = accounts.beginSecondFactor(owner.email);
      await accounts.enableSecondFactor(
        owner.actor,
        secret,
        totpAt(secret, world.clock.now()),
        META,
      );
      return { ...owner, secret };
    }

    it("refuses to turn on with a wrong code", async () => {
      const owner = await signUpOwner(world);
      const { secret } = accounts.beginSecondFactor(owner.email);
      const wrong = totpAt(secret, world.clock.now() + 10 * MINUTE);
      await expectAppError(
        accounts.enableSecondFactor(owner.actor, secret, wrong, META),
        "VALIDATION_FAILED",
        "code",
      );
      expect(await accounts.hasSecondFactor(owner.actor)).toBe(false);
    });

    it("makes sign-in wait for the code, then completes it", async () => {
      const owner = await ownerWithTotp();
      const pending = await accounts.signIn({ email: owner.email, password: owner.password }, META);
      expect(pending.pendingSecondFactor).toBe(true);
      expect((await accounts.session(pending.token))?.pendingSecondFactor).toBe(true);
      const full = await accounts.completeSecondFactor(
        pending.token,
        totpAt(owner.secret, world.clock.now()),
        META,
      );
      expect(full.pendingSecondFactor).toBe(false);
      // The half-signed-in session is gone.
      expect(await accounts.session(pending.token)).toBeUndefined();
    });

    it("keeps a waiting session out of the app pages", async () => {
      const owner = await ownerWithTotp();
      const pending = await accounts.signIn({ email: owner.email, password: owner.password }, META);
      const answer = await send(world.ally, "GET", "/app", {
        as: { kind: "session", session: pending },
      });
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toMatch(/^\/login/);
    });

    it("refuses a wrong code", async () => {
      const owner = await ownerWithTotp();
      const pending = await accounts.signIn({ email: owner.email, password: owner.password }, META);
      const wrong = totpAt(owner.secret, world.clock.now() + 5 * MINUTE);
      await expectAppError(
        accounts.completeSecondFactor(pending.token, wrong, META),
        "INVALID_CREDENTIALS",
        "code",
      );
    });

    it("accepts a code one 30-second step early or late, not two", async () => {
      const owner = await ownerWithTotp();
      const now = world.clock.now();
      for (const [offset, ok] of [
        [-30_000, true],
        [30_000, true],
        [-60_000, false],
        [60_000, false],
      ] as const) {
        const pending = await accounts.signIn(
          { email: owner.email, password: owner.password },
          META,
        );
        const attempt = accounts.completeSecondFactor(
          pending.token,
          totpAt(owner.secret, now + offset),
          META,
        );
        if (ok) expect((await attempt).pendingSecondFactor).toBe(false);
        else await expectAppError(attempt, "INVALID_CREDENTIALS");
      }
    });

    it("refuses a code that was already used to sign in (RFC 6238 section 5.2)", async () => {
      const owner = await ownerWithTotp();
      const code = totpAt(owner.secret, world.clock.now());
      const first = await accounts.signIn({ email: owner.email, password: owner.password }, META);
      await accounts.completeSecondFactor(first.token, code, META);
      // Someone who saw the code over the owner's shoulder, with the password, seconds later.
      world.clock.advance(10_000);
      const second = await accounts.signIn({ email: owner.email, password: owner.password }, META);
      await expectAppError(
        accounts.completeSecondFactor(second.token, code, META),
        "INVALID_CREDENTIALS",
        "code",
      );
      // The next code works.
      world.clock.advance(30_000);
      const next = await accounts.completeSecondFactor(
        second.token,
        totpAt(owner.secret, world.clock.now()),
        META,
      );
      expect(next.pendingSecondFactor).toBe(false);
    });

    it("stores the secret sealed, not as plaintext", async () => {
      const owner = await ownerWithTotp();
      const row = await world.store.db
        .selectFrom("users")
        .select("totp_secret")
        .where("id", "=", owner.userId)
        .executeTakeFirstOrThrow();
      expect(row.totp_secret).not.toBeNull();
      expect(row.totp_secret).not.toContain(owner.secret);
      expect(row.totp_secret).toMatch(/^v2\.dk_/);
      expect(JSON.stringify(await snapshot(world))).not.toContain(owner.secret);
    });

    it("binds the sealed secret to its row: copied to another user, it does not open", async () => {
      const owner = await ownerWithTotp();
      const other = await signUpOwner(world);
      const row = await world.store.db
        .selectFrom("users")
        .select("totp_secret")
        .where("id", "=", owner.userId)
        .executeTakeFirstOrThrow();
      await world.store.db
        .updateTable("users")
        .set({ totp_secret: row.totp_secret })
        .where("id", "=", other.userId)
        .execute();
      const box = createSecretStore({ db: world.store.db, keyring: singleKeyring(MASTER_KEY) });
      expect(await box.open(row.totp_secret as string, totpSecretBinding(owner.userId))).toBe(
        owner.secret,
      );
      await expect(
        box.open(row.totp_secret as string, totpSecretBinding(other.userId)),
      ).rejects.toThrow();
      // Whoever copied it cannot sign in as the other user with the owner's codes.
      const pending = await accounts.signIn({ email: other.email, password: other.password }, META);
      await expect(
        accounts.completeSecondFactor(pending.token, totpAt(owner.secret, world.clock.now()), META),
      ).rejects.toThrow();
      expect((await accounts.session(pending.token))?.pendingSecondFactor).toBe(true);
    });
  });

  describe("password reset", () => {
    it("ends every session of the account, and the link works once", async () => {
      const owner = await signUpOwner(world);
      const second = await accounts.signIn({ email: owner.email, password: owner.password }, META);
      await accounts.requestPasswordReset(owner.email, META);
      const token = await linkTokenFromMail(world, owner.email, "reset-password");
      await accounts.resetPassword(token, "a brand new password", META);
      expect(await accounts.session(owner.session.token)).toBeUndefined();
      expect(await accounts.session(second.token)).toBeUndefined();
      await expectAppError(
        accounts.signIn({ email: owner.email, password: owner.password }, META),
        "INVALID_CREDENTIALS",
      );
      await accounts.signIn({ email: owner.email, password: "a brand new password" }, META);
      await expectAppError(
        accounts.resetPassword(token, "yet another password", META),
        "TOKEN_INVALID",
      );
    });

    it("makes the account's other reset links useless once one is used", async () => {
      const owner = await signUpOwner(world);
      await accounts.requestPasswordReset(owner.email, META);
      const older = await linkTokenFromMail(world, owner.email, "reset-password");
      await accounts.requestPasswordReset(owner.email, META);
      const newer = await linkTokenFromMail(world, owner.email, "reset-password");
      expect(newer).not.toBe(older);
      await accounts.resetPassword(newer, "a brand new password", META);
      await expectAppError(
        accounts.resetPassword(older, "an attacker's password", META),
        "TOKEN_INVALID",
      );
      await accounts.signIn({ email: owner.email, password: "a brand new password" }, META);
    });

    it("refuses the link after an hour, and keeps the old password", async () => {
      const owner = await signUpOwner(world);
      await accounts.requestPasswordReset(owner.email, META);
      const token = await linkTokenFromMail(world, owner.email, "reset-password");
      world.clock.advance(HOUR);
      await expectAppError(
        accounts.resetPassword(token, "a brand new password", META),
        "TOKEN_INVALID",
      );
      expect(await accounts.session(owner.session.token)).toBeDefined();
      await accounts.signIn({ email: owner.email, password: owner.password }, META);
    });

    it("accepts the link just before the hour is up", async () => {
      const owner = await signUpOwner(world);
      await accounts.requestPasswordReset(owner.email, META);
      const token = await linkTokenFromMail(world, owner.email, "reset-password");
      world.clock.advance(HOUR - 1000);
      await accounts.resetPassword(token, "a brand new password", META);
    });

    it("answers the same whether or not the address has an account", async () => {
      const before = await world.store.db.selectFrom("outbox").select("id").execute();
      await accounts.requestPasswordReset("no-such-person@example.com", META);
      const after = await world.store.db.selectFrom("outbox").select("id").execute();
      expect(after).toHaveLength(before.length);
    });
  });

  describe("invitations and roles", () => {
    it("lets a new person join with the invited role", async () => {
      const owner = await signUpOwner(world);
      const recruiter = await addMember(world, owner, "recruiter");
      expect(recruiter.actor).toMatchObject({ orgId: owner.orgId, role: "recruiter" });
      const member = await accounts.getMember(owner.actor, recruiter.userId);
      expect(member.role).toBe("recruiter");
    });

    it("lets an existing account join another organisation with its password", async () => {
      const alpha = await signUpOwner(world);
      const beta = await signUpOwner(world);
      await accounts.invite(alpha.actor, { email: beta.email, role: "interviewer" }, META);
      const token = await linkTokenFromMail(world, beta.email, "invitation");
      expect((await accounts.describeInvitation(token)).hasAccount).toBe(true);
      await expectAppError(
        accounts.acceptInvitation({ token, password: "not the right one" }, META),
        "INVALID_CREDENTIALS",
        "password",
      );
      const session = await accounts.acceptInvitation({ token, password: beta.password }, META);
      const context = await accounts.session(session.token);
      expect(context?.actor).toMatchObject({
        userId: beta.userId,
        orgId: alpha.orgId,
        role: "interviewer",
      });
      // Still the owner of their own organisation.
      expect((await accounts.getMember(beta.actor, beta.userId)).role).toBe("owner");
      await expectAppError(
        accounts.acceptInvitation({ token, password: beta.password }, META),
        "TOKEN_INVALID",
      );
    });

    it("refuses an invitation after seven days", async () => {
      const owner = await signUpOwner(world);
      await accounts.invite(owner.actor, { email: "late-joiner@example.com", role: "admin" }, META);
      const token = await linkTokenFromMail(world, "late-joiner@example.com", "invitation");
      world.clock.advance(7 * 24 * HOUR);
      await expectAppError(
        accounts.acceptInvitation(
          {
            token,
            name: "Late",
            phone: "+1 555 0100",
            postalAddress: "1 Late Lane",
            password: "late but long enough",
          },
          META,
        ),
        "TOKEN_INVALID",
      );
    });

    it("lets only owners make, unmake or invite owners", async () => {
      const owner = await signUpOwner(world);
      const admin = await addMember(world, owner, "admin");
      const recruiter = await addMember(world, owner, "recruiter");
      await expectAppError(
        accounts.changeRole(admin.actor, recruiter.userId, "owner", META),
        "FORBIDDEN",
      );
      await expectAppError(
        accounts.changeRole(admin.actor, owner.userId, "admin", META),
        "FORBIDDEN",
      );
      await expectAppError(
        accounts.invite(admin.actor, { email: "new-owner@example.com", role: "owner" }, META),
        "FORBIDDEN",
      );
      await expectAppError(
        accounts.changeRole(recruiter.actor, admin.userId, "interviewer", META),
        "FORBIDDEN",
      );
      await accounts.changeRole(admin.actor, recruiter.userId, "interviewer", META);
      await accounts.changeRole(owner.actor, admin.userId, "owner", META);
      expect((await accounts.getMember(owner.actor, admin.userId)).role).toBe("owner");
    });

    it("keeps the last owner: demoting them is refused, demoting one of two is not", async () => {
      const owner = await signUpOwner(world);
      await expectAppError(
        accounts.changeRole(owner.actor, owner.userId, "admin", META),
        "LAST_OWNER",
        "role",
      );
      const second = await addMember(world, owner, "owner");
      await accounts.changeRole(owner.actor, second.userId, "admin", META);
      await accounts.changeRole(owner.actor, second.userId, "owner", META);
      await accounts.changeRole(second.actor, owner.userId, "admin", META);
      await expectAppError(
        accounts.changeRole(second.actor, second.userId, "recruiter", META),
        "LAST_OWNER",
      );
    });

    it("keeps one owner when two owners demote each other at the same moment", async () => {
      const owner = await signUpOwner(world);
      const second = await addMember(world, owner, "owner");
      const results = await Promise.allSettled([
        accounts.changeRole(owner.actor, second.userId, "admin", META),
        accounts.changeRole(second.actor, owner.userId, "admin", META),
      ]);
      expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const owners = (await accounts.listMembers(owner.actor)).filter((m) => m.role === "owner");
      expect(owners).toHaveLength(1);
    });

    it("does not let a member act on a member of another organisation", async () => {
      const alpha = await signUpOwner(world);
      const beta = await signUpOwner(world);
      const betaMember = await addMember(world, beta, "recruiter");
      await expectAppError(accounts.getMember(alpha.actor, betaMember.userId), "NOT_FOUND");
      await expectAppError(
        accounts.changeRole(alpha.actor, betaMember.userId, "interviewer", META),
        "NOT_FOUND",
      );
      expect((await accounts.getMember(beta.actor, betaMember.userId)).role).toBe("recruiter");
    });
  });

  describe("API tokens", () => {
    it("shows the token once and keeps only its hash", async () => {
      const owner = await signUpOwner(world);
      const { token, info } = await accounts.createApiToken(owner.actor, "CI", META);
      expect(token).toMatch(/^ally_[A-Za-z0-9_-]{40,}$/);
      const listed = await accounts.listApiTokens(owner.actor);
      expect(JSON.stringify(listed)).not.toContain(token);
      expect(listed.map((t) => t.id)).toContain(info.id);
      const row = await world.store.db
        .selectFrom("api_tokens")
        .selectAll()
        .where("id", "=", info.id)
        .executeTakeFirstOrThrow();
      expect(row.token_hash).toBe(tokenHash(token));
      expect(JSON.stringify(await snapshot(world, {}))).not.toContain(token);
      expect(await accounts.authenticateApiToken(token)).toMatchObject({
        userId: owner.userId,
        orgId: owner.orgId,
        role: "owner",
        via: "api-token",
      });
    });

    it("stops authenticating a revoked token", async () => {
      const owner = await signUpOwner(world);
      const { token, info } = await accounts.createApiToken(owner.actor, "old", META);
      await accounts.revokeApiToken(owner.actor, info.id, META);
      expect(await accounts.authenticateApiToken(token)).toBeUndefined();
      await expectAppError(accounts.revokeApiToken(owner.actor, info.id, META), "NOT_FOUND");
    });

    it("acts with the member's current role, not the role at creation", async () => {
      const owner = await signUpOwner(world);
      const admin = await addMember(world, owner, "admin");
      const { token } = await accounts.createApiToken(admin.actor, "admin's", META);
      await accounts.changeRole(owner.actor, admin.userId, "interviewer", META);
      expect((await accounts.authenticateApiToken(token))?.role).toBe("interviewer");
    });
  });

  describe("audit log", () => {
    it("records sign-in, role change and token creation with a shortened IP", async () => {
      const owner = await signUpOwner(world);
      const recruiter = await addMember(world, owner, "recruiter");
      await accounts.signIn({ email: owner.email, password: owner.password }, META);
      await accounts.changeRole(owner.actor, recruiter.userId, "interviewer", META);
      const { info } = await accounts.createApiToken(owner.actor, "audited", META);
      const entries = await listAudit(world.store.db, owner.orgId);
      const find = (action: string) => entries.find((e) => e.action === action);
      expect(find("sign-in")).toMatchObject({ actorUserId: owner.userId, ip: "203.0.113.0" });
      expect(find("role-changed")).toMatchObject({
        actorUserId: owner.userId,
        target: `${recruiter.userId}:recruiter->interviewer`,
        ip: "203.0.113.0",
      });
      expect(find("api-token-created")).toMatchObject({ target: info.id, ip: "203.0.113.0" });
      const raw = await world.store.db.selectFrom("audit_log").select("ip").execute();
      expect(raw.map((r) => r.ip)).not.toContain(META.ip);
    });

    it("shortens IPv4 to /24 and IPv6 to /48", () => {
      expect(truncateIp("203.0.113.77")).toBe("203.0.113.0");
      expect(truncateIp("::ffff:203.0.113.77")).toBe("203.0.113.0");
      expect(truncateIp("2001:db8:1:2::5")).toBe("2001:db8:1::");
      expect(truncateIp("2001:0db8:0001:0002:0003:0004:0005:0006")).toBe("2001:0db8:0001::");
      expect(truncateIp("")).toBeNull();
    });
  });

  describe("passwords at rest", () => {
    it("stores argon2id PHC strings with OWASP's parameters", async () => {
      const owner = await signUpOwner(world);
      const row = await world.store.db
        .selectFrom("users")
        .select("password_hash")
        .where("id", "=", owner.userId)
        .executeTakeFirstOrThrow();
      expect(row.password_hash.startsWith("$argon2id$v=19$m=19456,t=2,p=1$")).toBe(true);
      expect(row.password_hash).not.toContain(owner.password);
      expect(JSON.stringify(await snapshot(world))).not.toContain(owner.password);
    });
  });
});
