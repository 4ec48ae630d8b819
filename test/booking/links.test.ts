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
import { testDatabases } from "../support/databases.js";
import { makeRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  T0 as NOW,
  type Organisation,
  type World,
} from "../support/web-world.js";

const HOUR = 3_600_000;

for (const database of await testDatabases()) {
  describe(`booking links on ${database.dialect}`, () => {
    let world: World;
    let store: Store;
    const clock = fixedClock(NOW);
    let links: BookingLinks;
    let acme: Organisation;
    let globex: Organisation;
    let orgId: Organisation["owner"]["orgId"];
    let otherOrgId: typeof orgId;
    /** A new interview request's id in Acme (or `org`). */
    const request = async (org?: Organisation) =>
      (await makeRequest(world, org ?? acme)).request.id;

    beforeAll(async () => {
      world = await createWorld(database);
      store = world.store;
      acme = await createOrganisation(world, "Acme");
      globex = await createOrganisation(world, "Globex");
      orgId = acme.owner.orgId;
      otherOrgId = globex.owner.orgId;
      links = createBookingLinks({ db: store.db, clock });
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    it("opens the request it was issued for, in its organisation, until it expires", async () => {
      clock.set(NOW);
      const { token, link } = await links.issue(store.db, orgId, await request(), 2 * HOUR);
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
      const { link } = await links.issue(store.db, orgId, await request());
      expect(link.expiresAt - NOW).toBe(DEFAULT_LINK_TTL_MS);
      expect(DEFAULT_LINK_TTL_MS).toBe(14 * 24 * HOUR);
    });

    it("stores only the token's hash", async () => {
      const { token, link } = await links.issue(store.db, orgId, await request());
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
      const { token } = await links.issue(store.db, orgId, await request());
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
      const id = await request();
      const first = await links.issue(store.db, orgId, id);
      const second = await links.issue(store.db, orgId, id);
      expect(await links.resolve(first.token)).toEqual({ ok: false, problem: "revoked" });
      expect((await links.resolve(second.token)).ok).toBe(true);
    });

    it("revokes every live link of a cancelled request and no one else's", async () => {
      const id = await request();
      const cancelled = await links.issue(store.db, orgId, id);
      const elsewhereId = await request(globex);
      const elsewhere = await links.issue(store.db, otherOrgId, elsewhereId);
      const unrelated = await links.issue(store.db, orgId, await request());
      // Another organisation naming this request revokes nothing.
      expect(await links.revokeForRequest(store.db, otherOrgId, id)).toBe(0);
      expect(await links.revokeForRequest(store.db, orgId, id)).toBe(1);
      expect(await links.resolve(cancelled.token)).toEqual({ ok: false, problem: "revoked" });
      expect((await links.resolve(elsewhere.token)).ok).toBe(true);
      expect((await links.resolve(unrelated.token)).ok).toBe(true);
      expect(await links.revokeForRequest(store.db, orgId, id)).toBe(0);
    });

    it("goes with its request when the request is deleted (with its candidate)", async () => {
      const { request: made } = await makeRequest(world, acme);
      const { token } = await links.issue(store.db, orgId, made.id);
      await world.deps.hiring.deleteCandidate(acme.owner.actor, made.candidateId);
      expect(await links.resolve(token)).toEqual({ ok: false, problem: "unknown" });
      const left = await store.db
        .selectFrom("booking_links")
        .select("id")
        .where("request_id", "=", made.id)
        .execute();
      expect(left).toEqual([]);
    });

    it("issues nothing when the transaction that sends it rolls back", async () => {
      let token = "";
      const id = await request();
      await expect(
        store.db.transaction().execute(async (trx) => {
          ({ token } = await links.issue(trx, orgId, id));
          throw new Error("the email could not be queued");
        }),
      ).rejects.toThrow("could not be queued");
      expect(await links.resolve(token)).toEqual({ ok: false, problem: "unknown" });
    });

    it("refuses a link that would never work", async () => {
      await expect(links.issue(store.db, orgId, await request(), 0)).rejects.toThrow(/positive/);
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
