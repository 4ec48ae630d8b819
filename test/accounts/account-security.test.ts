/**
 * Account security on every database: API token scopes and revocation, the per-network limit
 * and per-account backoff on sign-in (nobody can lock a user out), the rate limit on turning
 * two-step sign-in off, and sign-up that does not reveal which addresses have accounts.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AccountsService, RequestMeta } from "../../src/accounts/service.js";
import {
  backoffMs,
  FREE_FAILURES,
  networkOf,
  SIGN_IN_NETWORK_RATE,
} from "../../src/accounts/sign-in-throttle.js";
import { totpAt } from "../../src/accounts/totp.js";
import type { ErrorCode } from "../../src/errors.js";
import { testDatabases } from "../support/databases.js";
import {
  buildSignUp,
  createWorld,
  linkTokenFromMail,
  META,
  type Person,
  signUpOwner,
  T0,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

const SECOND = 1000;
const MINUTE = 60 * SECOND;

async function expectAppError(promise: Promise<unknown>, code: ErrorCode): Promise<unknown> {
  let caught: unknown;
  await promise.catch((error: unknown) => {
    caught = error;
  });
  expect(caught).toMatchObject({ code });
  return caught;
}

let network = 0;
/** An address in a network of its own (203.0.N.x), so tests do not share network limits. */
function freshNetwork(): (host: number) => RequestMeta {
  network += 1;
  const n = network;
  return (host) => ({ ip: `198.18.${n}.${host}`, userAgent: "vitest" });
}

describe("the sign-in backoff schedule", () => {
  it("lets the first failures through, then doubles the wait up to fifteen minutes", () => {
    for (let failures = 0; failures < FREE_FAILURES; failures++) {
      expect(backoffMs(failures)).toBe(0);
    }
    expect(backoffMs(FREE_FAILURES)).toBe(30 * SECOND);
    expect(backoffMs(FREE_FAILURES + 1)).toBe(60 * SECOND);
    expect(backoffMs(FREE_FAILURES + 2)).toBe(2 * MINUTE);
    expect(backoffMs(FREE_FAILURES + 100)).toBe(15 * MINUTE);
  });

  it("groups IPv4 addresses by /24 and IPv6 addresses by /64", () => {
    expect(networkOf("203.0.113.77")).toBe("203.0.113.0/24");
    expect(networkOf("::ffff:203.0.113.77")).toBe("203.0.113.0/24");
    expect(networkOf("2001:db8:1:2:3:4:5:6")).toBe("2001:db8:1:2::/64");
    expect(networkOf("2001:0db8:0001:0002::5")).toBe("2001:db8:1:2::/64");
    expect(networkOf("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(networkOf("::1")).toBe("0:0:0:0::/64");
  });
});

describe.each(databases)("account security on $dialect", (database) => {
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

  async function ownerWithTotp(): Promise<Person & { secret: string }> {
    const owner = await signUpOwner(world);
    const { secret } = accounts.beginSecondFactor(owner.email);
    await accounts.enableSecondFactor(owner.actor, secret, totpAt(secret, world.clock.now()), META);
    return { ...owner, secret };
  }

  describe("API token scopes", () => {
    it("gives a token the scopes it was made with", async () => {
      const owner = await signUpOwner(world);
      const { token, info } = await accounts.createApiToken(owner.actor, "reader", META, ["read"]);
      expect(info.scopes).toEqual(["read"]);
      expect((await accounts.authenticateApiToken(token))?.scopes).toEqual(["read"]);
      expect((await accounts.listApiTokens(owner.actor)).map((t) => t.scopes)).toEqual([["read"]]);
    });

    it("lets tokens made before scopes existed keep reading and writing", async () => {
      const owner = await signUpOwner(world);
      const { token, info } = await accounts.createApiToken(owner.actor, "old", META, ["read"]);
      // A row as the table held it before the scopes column: the column's default applies.
      const row = await world.store.db
        .selectFrom("api_tokens")
        .selectAll()
        .where("id", "=", info.id)
        .executeTakeFirstOrThrow();
      await world.store.db.deleteFrom("api_tokens").where("id", "=", info.id).execute();
      const { scopes: _dropped, ...before } = row;
      await world.store.db.insertInto("api_tokens").values(before).execute();
      expect((await accounts.authenticateApiToken(token))?.scopes).toEqual(["read", "write"]);
    });

    it("refuses to let a token make, list or revoke tokens, or change the second factor", async () => {
      const owner = await signUpOwner(world);
      const { token, info } = await accounts.createApiToken(owner.actor, "leaked", META);
      const viaToken = await accounts.authenticateApiToken(token);
      if (viaToken === undefined) throw new Error("token does not authenticate");
      await expectAppError(accounts.createApiToken(viaToken, "more", META), "FORBIDDEN");
      await expectAppError(accounts.listApiTokens(viaToken), "FORBIDDEN");
      await expectAppError(accounts.revokeApiToken(viaToken, info.id, META), "FORBIDDEN");
      const { secret } = accounts.beginSecondFactor(owner.email);
      await expectAppError(
        accounts.enableSecondFactor(viaToken, secret, totpAt(secret, world.clock.now()), META),
        "FORBIDDEN",
      );
      await expectAppError(
        accounts.disableSecondFactor(viaToken, owner.password, META),
        "FORBIDDEN",
      );
      expect(await accounts.hasSecondFactor(owner.actor)).toBe(false);
      expect(await accounts.listApiTokens(owner.actor)).toHaveLength(1);
    });
  });

  describe("revoking tokens when the account's credentials change", () => {
    it("revokes every API token of the account on a password reset", async () => {
      const owner = await signUpOwner(world);
      const { token } = await accounts.createApiToken(owner.actor, "CI", META);
      await accounts.requestPasswordReset(owner.email, META);
      const link = await linkTokenFromMail(world, owner.email, "reset-password");
      await accounts.resetPassword(link, "a brand new password 42", META);
      expect(await accounts.authenticateApiToken(token)).toBeUndefined();
    });

    it("revokes every API token of the account when two-step sign-in is turned on", async () => {
      const owner = await signUpOwner(world);
      const { token } = await accounts.createApiToken(owner.actor, "CI", META);
      const { secret } = accounts.beginSecondFactor(owner.email);
      await accounts.enableSecondFactor(
        owner.actor,
        secret,
        totpAt(secret, world.clock.now()),
        META,
      );
      expect(await accounts.authenticateApiToken(token)).toBeUndefined();
    });

    it("revokes every API token of the account when two-step sign-in is turned off", async () => {
      const owner = await ownerWithTotp();
      const { token } = await accounts.createApiToken(owner.actor, "CI", META);
      await accounts.disableSecondFactor(owner.actor, owner.password, META);
      expect(await accounts.authenticateApiToken(token)).toBeUndefined();
    });

    it("leaves other members' tokens alone", async () => {
      const owner = await signUpOwner(world);
      const other = await signUpOwner(world);
      const { token } = await accounts.createApiToken(other.actor, "theirs", META);
      const { secret } = accounts.beginSecondFactor(owner.email);
      await accounts.enableSecondFactor(
        owner.actor,
        secret,
        totpAt(secret, world.clock.now()),
        META,
      );
      expect(await accounts.authenticateApiToken(token)).toBeDefined();
    });
  });

  describe("turning two-step sign-in off", () => {
    it("rate-limits the password check, then allows it again after the window", async () => {
      const owner = await ownerWithTotp();
      for (let attempt = 1; attempt <= 5; attempt++) {
        await expectAppError(
          accounts.disableSecondFactor(owner.actor, `wrong password ${attempt}`, META),
          "INVALID_CREDENTIALS",
        );
      }
      // The sixth try is refused before the password is checked, even the right one.
      await expectAppError(
        accounts.disableSecondFactor(owner.actor, owner.password, META),
        "RATE_LIMITED",
      );
      expect(await accounts.hasSecondFactor(owner.actor)).toBe(true);
      world.clock.advance(15 * MINUTE);
      await accounts.disableSecondFactor(owner.actor, owner.password, META);
      expect(await accounts.hasSecondFactor(owner.actor)).toBe(false);
    });
  });

  describe("sign-in throttling", () => {
    it("makes attempts on an account wait after five failures, saying how long", async () => {
      const owner = await signUpOwner(world);
      const from = freshNetwork()(10);
      for (let attempt = 1; attempt <= FREE_FAILURES; attempt++) {
        await expectAppError(
          accounts.signIn({ email: owner.email, password: `wrong ${attempt}` }, from),
          "INVALID_CREDENTIALS",
        );
      }
      const refused = await expectAppError(
        accounts.signIn({ email: owner.email, password: owner.password }, from),
        "RATE_LIMITED",
      );
      expect(refused).toMatchObject({ detail: { retryAfterSeconds: 30 } });
      expect((refused as Error).message).toMatch(/Wait 30 seconds/);
      world.clock.advance(30 * SECOND);
      const session = await accounts.signIn({ email: owner.email, password: owner.password }, from);
      expect(session.pendingSecondFactor).toBe(false);
    });

    it("does not count refused attempts, so the wait always ends", async () => {
      const owner = await signUpOwner(world);
      const from = freshNetwork()(10);
      for (let attempt = 1; attempt <= FREE_FAILURES; attempt++) {
        await expectAppError(
          accounts.signIn({ email: owner.email, password: `wrong ${attempt}` }, from),
          "INVALID_CREDENTIALS",
        );
      }
      for (let attempt = 1; attempt <= 20; attempt++) {
        world.clock.advance(SECOND);
        await expectAppError(
          accounts.signIn({ email: owner.email, password: `hammer ${attempt}` }, from),
          "RATE_LIMITED",
        );
      }
      world.clock.advance(10 * SECOND);
      await accounts.signIn({ email: owner.email, password: owner.password }, from);
    });

    it("does not let an attacker hammering one email from one network lock its owner out", async () => {
      const owner = await signUpOwner(world);
      const attacker = freshNetwork()(66);
      const home = freshNetwork()(20);
      // The attacker guesses for an hour, as fast as Ally lets them.
      for (let minute = 0; minute < 60; minute++) {
        for (let attempt = 0; attempt < 10; attempt++) {
          await accounts
            .signIn({ email: owner.email, password: `guess ${minute}-${attempt}` }, attacker)
            .catch((error: { code?: string }) => {
              expect(["INVALID_CREDENTIALS", "RATE_LIMITED"]).toContain(error.code);
            });
        }
        world.clock.advance(MINUTE);
      }
      // The attacker is still made to wait...
      await accounts
        .signIn({ email: owner.email, password: "a guess" }, attacker)
        .catch(() => undefined);
      await expectAppError(
        accounts.signIn({ email: owner.email, password: "one more guess" }, attacker),
        "RATE_LIMITED",
      );
      // ...while the owner, from their own network, signs in with the right password.
      const session = await accounts.signIn({ email: owner.email, password: owner.password }, home);
      expect(session.pendingSecondFactor).toBe(false);
    });

    it("lets the owner in from the attacker's network too once the backoff has passed", async () => {
      const owner = await signUpOwner(world);
      const shared = freshNetwork();
      for (let attempt = 1; attempt <= FREE_FAILURES + 3; attempt++) {
        await accounts
          .signIn({ email: owner.email, password: `guess ${attempt}` }, shared(66))
          .catch(() => undefined);
        world.clock.advance(SECOND);
      }
      await expectAppError(
        accounts.signIn({ email: owner.email, password: owner.password }, shared(20)),
        "RATE_LIMITED",
      );
      world.clock.advance(15 * MINUTE);
      await accounts.signIn({ email: owner.email, password: owner.password }, shared(20));
    });

    it("stops one network spraying passwords across many accounts", async () => {
      const sprayer = freshNetwork();
      for (let attempt = 0; attempt < SIGN_IN_NETWORK_RATE.max; attempt++) {
        await expectAppError(
          accounts.signIn(
            { email: `victim-${attempt}-${network}@spray.example`, password: "Summer2026!" },
            sprayer(attempt % 250),
          ),
          "INVALID_CREDENTIALS",
        );
      }
      // Now even a real account with its right password is refused from that network...
      const owner = await signUpOwner(world);
      const refused = await expectAppError(
        accounts.signIn({ email: owner.email, password: owner.password }, sprayer(251)),
        "RATE_LIMITED",
      );
      expect(refused).toMatchObject({ detail: { retryAfterSeconds: expect.any(Number) } });
      // ...but not from another network.
      await accounts.signIn({ email: owner.email, password: owner.password }, freshNetwork()(1));
    });

    it("answers the same for an unknown email as for a known one", async () => {
      const owner = await signUpOwner(world);
      const from = freshNetwork()(10);
      const codes = async (email: string) => {
        const seen: string[] = [];
        for (let attempt = 1; attempt <= FREE_FAILURES + 1; attempt++) {
          await accounts
            .signIn({ email, password: `wrong ${attempt}` }, from)
            .catch((error: { code: string }) => seen.push(error.code));
        }
        return seen;
      };
      expect(await codes(`nobody-${network}@example.com`)).toEqual(await codes(owner.email));
    });

    it("starts an account afresh after a correct password", async () => {
      const owner = await signUpOwner(world);
      const from = freshNetwork()(10);
      for (let attempt = 1; attempt < FREE_FAILURES; attempt++) {
        await expectAppError(
          accounts.signIn({ email: owner.email, password: `wrong ${attempt}` }, from),
          "INVALID_CREDENTIALS",
        );
      }
      await accounts.signIn({ email: owner.email, password: owner.password }, from);
      for (let attempt = 1; attempt < FREE_FAILURES; attempt++) {
        await expectAppError(
          accounts.signIn({ email: owner.email, password: `again ${attempt}` }, from),
          "INVALID_CREDENTIALS",
        );
      }
      await accounts.signIn({ email: owner.email, password: owner.password }, from);
    });
  });

  describe("sign-up with an address that has an account", () => {
    it("makes nothing, and mails the address's owner how to sign in or reset", async () => {
      const owner = await signUpOwner(world);
      const users = async () =>
        (await world.store.db.selectFrom("users").select("id").execute()).length;
      const before = await users();
      await accounts.signUpOrNotify(buildSignUp({ email: owner.email }), META);
      expect(await users()).toBe(before);
      const mail = await world.store.db
        .selectFrom("outbox")
        .select(["subject", "text_body"])
        .where("to_address", "=", owner.email)
        .where("kind", "=", "sign-up-existing")
        .executeTakeFirstOrThrow();
      expect(mail.subject).toMatch(/tried to sign up/);
      expect(mail.text_body).toContain("http://ally.test/login");
      expect(mail.text_body).toContain("http://ally.test/forgot-password");
    });

    it("sends at most three such mails to an address an hour", async () => {
      const owner = await signUpOwner(world);
      for (let attempt = 0; attempt < 6; attempt++) {
        await accounts.signUpOrNotify(buildSignUp({ email: owner.email }), META);
      }
      const sent = await world.store.db
        .selectFrom("outbox")
        .select("id")
        .where("to_address", "=", owner.email)
        .where("kind", "=", "sign-up-existing")
        .execute();
      expect(sent).toHaveLength(3);
    });

    it("signs up a new address as before", async () => {
      const input = buildSignUp();
      await accounts.signUpOrNotify(input, META);
      await linkTokenFromMail(world, input.email, "verify-email");
    });
  });
});
