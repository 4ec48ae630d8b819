/**
 * Signed candidate links, on every database: a link opens its request until it expires, is
 * replaced or the request is cancelled; a tampered or made-up token opens nothing; only a hash
 * is stored; the form token is bound to its link.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tokenHash } from "../../src/accounts/tokens.js";
import {
  type BookingLinks,
  createBookingLinks,
  DEFAULT_LINK_TTL_MS,
  linkFormToken,
  linkFormTokenMatches,
} from "../../src/booking/links.js";
import { fixedClock } from "../../src/clock.js";
import type { Store } from "../../src/store/database.js";
import { buildOrganisation, buildWorld, NOW } from "../hiring/factories.js";
import { testDatabases } from "../support/databases.js";

const HOUR = 3_600_000;

for (const database of await testDatabases()) {
  describe(`booking links on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    const clock = fixedClock(NOW);
    let links: BookingLinks;
    let orgId: Awaited<ReturnType<typeof buildOrganisation>>["owner"]["actor"]["orgId"];
    let otherOrgId: typeof orgId;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      const world = buildWorld(store);
      orgId = (await buildOrganisation(world, store, { company: "Acme" })).owner.actor.orgId;
      otherOrgId = (await buildOrganisation(world, store, { company: "Globex" })).owner.actor.orgId;
      links = createBookingLinks({ db: store.db, clock });
    });
    afterAll(async () => {
      await drop?.();
    });

    it("opens the request it was issued for, in its organisation, until it expires", async () => {
      clock.set(NOW);
      const { token, link } = await links.issue(store.db, orgId, "req_open", 2 * HOUR);
      expect(token).toMatch(/^bk_[A-Za-z0-9_-]{43}$/);
      expect(link.expiresAt).toBe(NOW + 2 * HOUR);
      expect(await links.resolve(token)).toEqual({ ok: true, link });
      clock.set(NOW + 2 * HOUR - 1);
      expect((await links.resolve(token)).ok).toBe(true);
      clock.set(NOW + 2 * HOUR);
      expect(await links.resolve(token)).toEqual({ ok: false, problem: "expired" });
      clock.set(NOW);
    });

    it("lives two weeks unless told otherwise", async () => {
      const { link } = await links.issue(store.db, orgId, "req_default");
      expect(link.expiresAt - NOW).toBe(DEFAULT_LINK_TTL_MS);
      expect(DEFAULT_LINK_TTL_MS).toBe(14 * 24 * HOUR);
    });

    it("stores only the token's hash", async () => {
      const { token, link } = await links.issue(store.db, orgId, "req_hash");
      const row = await store.db
        .selectFrom("booking_links")
        .selectAll()
        .where("id", "=", link.id)
        .executeTakeFirstOrThrow();
      expect(JSON.stringify(row)).not.toContain(token);
      expect(JSON.stringify(row)).not.toContain(token.slice(3));
      expect(row.token_hash).toBe(tokenHash(token));
    });

    it("opens nothing for a tampered, truncated or made-up token", async () => {
      const { token } = await links.issue(store.db, orgId, "req_tamper");
      const last = token.at(-1) === "A" ? "B" : "A";
      for (const bad of [
        `${token.slice(0, -1)}${last}`,
        token.slice(0, -1),
        `${token}x`,
        token.toUpperCase(),
        "bk_",
        "",
        "../../etc/passwd",
        `bk_${"A".repeat(43)}`,
      ]) {
        expect(await links.resolve(bad), bad).toEqual({ ok: false, problem: "unknown" });
      }
    });

    it("revokes the earlier link when a new one is issued for the same request", async () => {
      const first = await links.issue(store.db, orgId, "req_replace");
      const second = await links.issue(store.db, orgId, "req_replace");
      expect(await links.resolve(first.token)).toEqual({ ok: false, problem: "revoked" });
      expect((await links.resolve(second.token)).ok).toBe(true);
    });

    it("revokes every live link of a cancelled request and no one else's", async () => {
      const cancelled = await links.issue(store.db, orgId, "req_cancel");
      const sameIdElsewhere = await links.issue(store.db, otherOrgId, "req_cancel");
      const unrelated = await links.issue(store.db, orgId, "req_unrelated");
      expect(await links.revokeForRequest(store.db, orgId, "req_cancel")).toBe(1);
      expect(await links.resolve(cancelled.token)).toEqual({ ok: false, problem: "revoked" });
      expect((await links.resolve(sameIdElsewhere.token)).ok).toBe(true);
      expect((await links.resolve(unrelated.token)).ok).toBe(true);
      expect(await links.revokeForRequest(store.db, orgId, "req_cancel")).toBe(0);
    });

    it("issues nothing when the transaction that sends it rolls back", async () => {
      let token = "";
      await expect(
        store.db.transaction().execute(async (trx) => {
          ({ token } = await links.issue(trx, orgId, "req_rollback"));
          throw new Error("the email could not be queued");
        }),
      ).rejects.toThrow("could not be queued");
      expect(await links.resolve(token)).toEqual({ ok: false, problem: "unknown" });
    });

    it("refuses a link that would never work", async () => {
      await expect(links.issue(store.db, orgId, "req_zero", 0)).rejects.toThrow(/positive/);
    });
  });
}

describe("the booking form token", () => {
  it("is bound to its link: the right link's token matches, another link's does not", () => {
    const token = `bk_${"a".repeat(43)}`;
    const other = `bk_${"b".repeat(43)}`;
    expect(linkFormTokenMatches(token, linkFormToken(token))).toBe(true);
    expect(linkFormTokenMatches(token, linkFormToken(other))).toBe(false);
    expect(linkFormTokenMatches(token, undefined)).toBe(false);
    expect(linkFormTokenMatches(token, "")).toBe(false);
    expect(linkFormToken(token)).not.toContain(token.slice(3));
  });
});
