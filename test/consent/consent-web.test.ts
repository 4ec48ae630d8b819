/**
 * Cookie consent and usage analytics through Ally's pages, on SQLite and PostgreSQL: the banner
 * on every page until a choice, the choice form (no script: a POST with the CSRF token and a
 * redirect back), versioned consent records with a truncated IP, GPC as an opt-out, page views
 * only with analytics consent, the usage page scoped to the organisation, and the erasure,
 * export and retention of both tables.
 */
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { consentPersonRecords } from "../../src/consent/erasure.js";
import { currentConsent, recordConsent } from "../../src/consent/records.js";
import { purgeExpired } from "../../src/consent/retention.js";
import { erasePerson } from "../../src/privacy/erasure.js";
import { testDatabases } from "../support/databases.js";
import {
  addMember,
  createWorld,
  type Person,
  send,
  signUpOwner,
  T0,
  viaSession,
  type World,
} from "../support/web-world.js";

const CHROME =
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/** The consent cookie a response set, as `name=value`. */
function consentCookie(headers: Headers): string {
  const set = headers.getSetCookie().find((c) => c.startsWith("ally_consent="));
  if (set === undefined) throw new Error("no consent cookie set");
  return set.split(";")[0] as string;
}

for (const database of await testDatabases()) {
  describe(`cookie consent and usage analytics on ${database.dialect}`, () => {
    let world: World;
    let owner: Person;

    beforeAll(async () => {
      world = await createWorld(database);
      owner = await signUpOwner(world);
    });
    afterAll(async () => {
      await world?.drop();
    });
    beforeEach(async () => {
      await world.store.db.deleteFrom("page_views").execute();
      await world.store.db.deleteFrom("consent_records").execute();
      world.clock.set(T0);
    });

    const choose = async (form: Record<string, string>, headers: Record<string, string> = {}) => {
      const answer = await send(world.ally, "POST", "/consent", {
        form: { from: "banner", ...form },
        headers: { referer: "http://ally.test/privacy", ...headers },
      });
      expect(answer.status).toBe(303);
      return { answer, cookie: consentCookie(answer.headers) };
    };
    const views = () => world.store.db.selectFrom("page_views").selectAll().execute();
    const records = () =>
      world.store.db.selectFrom("consent_records").selectAll().orderBy("recorded_at").execute();

    it("shows the banner with Reject all and Accept all alike, no box ticked, and a footer link to the settings", async () => {
      const page = await send(world.ally, "GET", "/");
      expect(page.status).toBe(200);
      const banner =
        /<section class="consent-banner"[\s\S]*?<\/section>/.exec(page.text)?.[0] ?? "";
      expect(banner).toContain('action="/consent"');
      expect(banner).toContain('name="_csrf"');
      expect(banner).toMatch(/<button type="submit" name="choice" value="reject-all">Reject all</);
      expect(banner).toMatch(/<button type="submit" name="choice" value="accept-all">Accept all</);
      expect(banner).not.toContain("checked");
      expect(banner).toContain("Necessary (always on)");
      expect(page.text).toMatch(/<footer>[\s\S]*href="\/cookies">Cookie settings</);
      expect(await views()).toEqual([]);
    });

    it("records Accept all with the notice version, method, time and a truncated IP, sets the cookie and goes back", async () => {
      const { answer, cookie } = await choose({ choice: "accept-all" });
      expect(answer.headers.get("location")).toBe("/privacy");
      expect(cookie).toMatch(/^ally_consent=1\.11\.v_[A-Za-z0-9_-]+$/);
      const [row] = await records();
      expect(row).toMatchObject({
        notice_version: 1,
        analytics: 1,
        marketing: 1,
        method: "banner",
        recorded_at: T0,
        user_id: null,
        replaced_at: null,
      });
      // In-process requests come from loopback; only the network is kept.
      expect(row?.ip_prefix).toBe("127.0.0.0/24");
      const after = await send(world.ally, "GET", "/", { headers: { cookie } });
      expect(after.text).not.toContain('class="consent-banner"');
    });

    it("counts page views with analytics consent, by route, browser and referring host, never the query", async () => {
      const { cookie } = await choose({ choice: "save", analytics: "yes" });
      await send(world.ally, "GET", "/privacy?utm_source=news", {
        headers: { cookie, "user-agent": CHROME, referer: "https://news.example.org/story/42?x=1" },
      });
      await send(world.ally, "GET", "/privacy/v/1", { headers: { cookie } });
      const rows = await views();
      expect(rows.map((r) => r.path).sort()).toEqual(["/privacy", "/privacy/v/:id"]);
      const first = rows.find((r) => r.path === "/privacy");
      expect(first).toMatchObject({
        browser: "Chrome",
        os: "Windows",
        device: "desktop",
        referrer_host: "news.example.org",
        ip_prefix: "127.0.0.0/24",
        user_id: null,
        organisation_id: null,
      });
      // The choice said no to marketing: only analytics is on.
      expect((await records())[0]).toMatchObject({ analytics: 1, marketing: 0 });
    });

    it("counts nothing after Reject all, nor before any choice, nor for a missing page or the API", async () => {
      await send(world.ally, "GET", "/privacy");
      const { cookie } = await choose({ choice: "reject-all" });
      for (const path of ["/", "/privacy", "/cookies", "/no-such-page"]) {
        await send(world.ally, "GET", path, { headers: { cookie } });
      }
      expect(await views()).toEqual([]);
      expect((await records())[0]).toMatchObject({ analytics: 0, marketing: 0 });
      const accepted = await choose({ choice: "accept-all" });
      await send(world.ally, "GET", "/no-such-page", { headers: { cookie: accepted.cookie } });
      await send(world.ally, "GET", "/api/openapi.json", { headers: { cookie: accepted.cookie } });
      expect(await views()).toEqual([]);
    });

    it("honours Sec-GPC: 1: the banner says so, nothing is counted, and an earlier yes is recorded as no", async () => {
      const banner = await send(world.ally, "GET", "/", { headers: { "sec-gpc": "1" } });
      expect(banner.text).toContain("Global Privacy Control");
      expect(banner.text).not.toContain('value="accept-all"');
      const { cookie } = await choose({ choice: "accept-all" });
      world.clock.set(T0 + 60_000);
      const page = await send(world.ally, "GET", "/privacy", {
        headers: { cookie, "sec-gpc": "1" },
      });
      expect(await views()).toEqual([]);
      expect(consentCookie(page.headers)).toMatch(/^ally_consent=1\.00\./);
      const [first, second] = await records();
      expect(first).toMatchObject({ method: "banner", analytics: 1, replaced_at: T0 + 60_000 });
      expect(second).toMatchObject({
        method: "gpc",
        analytics: 0,
        marketing: 0,
        replaced_at: null,
      });
      // Accept all on a request with the signal is recorded as no.
      await choose({ choice: "accept-all" }, { cookie, "sec-gpc": "1" });
      expect((await records()).at(-1)).toMatchObject({ analytics: 0, marketing: 0 });
    });

    it("serves /.well-known/gpc.json", async () => {
      const answer = await send(world.ally, "GET", "/.well-known/gpc.json");
      expect(answer.status).toBe(200);
      expect(answer.json()).toEqual({ gpc: true, lastUpdate: "2026-12-03" });
    });

    it("changes the choice on the settings page, which replaces the earlier record and says it is saved", async () => {
      const { cookie } = await choose({ choice: "accept-all" });
      const settings = await send(world.ally, "GET", "/cookies", { headers: { cookie } });
      expect(settings.text).toContain("analytics yes, marketing yes");
      world.clock.set(T0 + 1000);
      const saved = await send(world.ally, "POST", "/consent", {
        form: { from: "settings", choice: "save", marketing: "yes" },
        headers: { cookie },
      });
      expect(saved.status).toBe(303);
      expect(saved.headers.get("location")).toBe("/cookies?saved=1");
      const rows = await records();
      expect(rows).toHaveLength(2);
      expect(rows[0]?.replaced_at).toBe(T0 + 1000);
      expect(rows[1]).toMatchObject({ method: "settings", analytics: 0, marketing: 1 });
      expect(rows[1]?.visitor_id).toBe(rows[0]?.visitor_id);
      const visitorId = rows[0]?.visitor_id as string;
      expect(await currentConsent(world.store.db, { visitorId }, T0 + 2000)).toMatchObject({
        analytics: false,
        marketing: true,
        method: "settings",
        noticeVersion: 1,
      });
    });

    it("refuses a choice form without its CSRF token or with an unknown choice, recording nothing", async () => {
      const forged = await send(world.ally, "POST", "/consent", {
        form: { choice: "accept-all" },
        csrf: false,
      });
      expect(forged.status).toBe(403);
      const bad = await send(world.ally, "POST", "/consent", { form: { choice: "everything" } });
      expect(bad.status).toBe(422);
      expect(bad.text).toContain("Choose Accept all, Reject all or Save choices.");
      const offsite = await choose({ choice: "reject-all" }, { referer: "https://evil.example/x" });
      expect(offsite.answer.headers.get("location")).toBe("/");
      expect(await records()).toHaveLength(1);
    });

    it("counts a signed-in member's views for their organisation, shown to its owner on the usage page and to no other organisation", async () => {
      const { cookie } = await choose({ choice: "accept-all" });
      await send(world.ally, "GET", "/app/jobs", {
        as: viaSession(owner),
        headers: { cookie, "user-agent": CHROME },
      });
      const [row] = await views();
      expect(row).toMatchObject({
        path: "/app/jobs",
        user_id: owner.userId,
        organisation_id: owner.orgId,
      });
      const usage = await send(world.ally, "GET", "/app/usage?days=7", { as: viaSession(owner) });
      expect(usage.status).toBe(200);
      expect(usage.text).toContain('role="img"');
      expect(usage.text).toContain("<td>/app/jobs</td>");
      const other = await signUpOwner(world);
      const theirs = await send(world.ally, "GET", "/app/usage", { as: viaSession(other) });
      expect(theirs.text).not.toContain("/app/jobs</td>");
      const interviewer = await addMember(world, owner, "interviewer");
      expect(
        (await send(world.ally, "GET", "/app/usage", { as: viaSession(interviewer) })).status,
      ).toBe(403);
    });

    it("erases a member's consent records and page views, from every browser they used signed in, and exports them first", async () => {
      const member = await addMember(world, owner, "recruiter");
      const { cookie } = await choose({ choice: "accept-all" });
      // Signed in: the next choice and views carry the member's id.
      await send(world.ally, "POST", "/consent", {
        as: viaSession(member),
        form: { from: "settings", choice: "accept-all" },
        headers: { cookie },
      });
      await send(world.ally, "GET", "/app/jobs", { as: viaSession(member), headers: { cookie } });
      // The same browser after signing out: still them.
      await send(world.ally, "GET", "/privacy", { headers: { cookie } });
      // Someone else's browser.
      const stranger = await choose({ choice: "accept-all" });
      await send(world.ally, "GET", "/privacy", { headers: { cookie: stranger.cookie } });

      const exported = await consentPersonRecords(world.store.db, [member.userId]);
      expect(exported.consents).toHaveLength(2);
      expect(exported.pageViews.map((v) => v.page).sort()).toEqual(["/app/jobs", "/privacy"]);
      expect(await currentConsent(world.store.db, { userId: member.userId }, T0)).toMatchObject({
        analytics: true,
        marketing: true,
      });

      const proof = await erasePerson(world.deps.erasure, { email: member.email });
      expect(proof.tables.consent_records).toEqual({ deleted: 2, anonymised: 0 });
      expect(proof.tables.page_views).toEqual({ deleted: 2, anonymised: 0 });
      const left = await records();
      expect(left).toHaveLength(1);
      expect(left[0]?.user_id).toBeNull();
      expect(await views()).toHaveLength(1);
    });

    describe("retention", () => {
      // Tue 1 Dec 2026, 14:00 UTC
      const now = Temporal.Instant.fromEpochMilliseconds(T0);
      const utc = (iso: string) => Temporal.Instant.from(iso).epochMilliseconds;

      const view = (visitedAt: number) =>
        world.store.db
          .insertInto("page_views")
          .values({
            visited_at: visitedAt,
            path: "/",
            browser: "Chrome",
            os: "Windows",
            device: "desktop",
            referrer_host: null,
            ip_prefix: "203.0.113.0/24",
            visitor_id: "v_retentionretention",
            user_id: null,
            organisation_id: null,
          })
          .execute();

      it("purges a page view thirteen months after the visit, and not one millisecond before", async () => {
        const limit = utc("2025-11-01T14:00:00Z");
        await view(limit);
        await view(limit + 1);
        const purged = await purgeExpired(world.store.db, now);
        expect(purged).toContainEqual({ table: "page_views", category: "usage-13m", removed: 1 });
        expect((await views()).map((r) => Number(r.visited_at))).toEqual([limit + 1]);
        const later = await purgeExpired(world.store.db, now.add({ milliseconds: 1 }));
        expect(later).toContainEqual({ table: "page_views", category: "usage-13m", removed: 1 });
      });

      it("keeps a consent record while it is the choice in force, and three years after it is replaced or lapses", async () => {
        const threeYearsAgo = utc("2023-12-01T14:00:00Z");
        const lifetimeMs = 180 * 86_400_000;
        const choice = {
          userId: null,
          method: "banner" as const,
          ip: "198.51.100.7",
          analytics: true,
          marketing: false,
        };
        // Replaced exactly three years ago: goes. Replaced a millisecond later: stays.
        await recordConsent(
          world.store.db,
          { ...choice, visitorId: "v_replacedexactly000" },
          threeYearsAgo - 5000,
        );
        await recordConsent(
          world.store.db,
          { ...choice, visitorId: "v_replacedexactly000" },
          threeYearsAgo,
        );
        await recordConsent(
          world.store.db,
          { ...choice, visitorId: "v_replacedlater00000" },
          threeYearsAgo - 5000,
        );
        await recordConsent(
          world.store.db,
          { ...choice, visitorId: "v_replacedlater00000" },
          threeYearsAgo + 1,
        );
        // Never replaced, lapsed (after its lifetime) exactly three years ago: goes; 1 ms later: stays.
        await recordConsent(
          world.store.db,
          { ...choice, visitorId: "v_lapsedexactly00000" },
          threeYearsAgo - lifetimeMs,
        );
        await recordConsent(
          world.store.db,
          { ...choice, visitorId: "v_lapsedlater0000000" },
          threeYearsAgo - lifetimeMs + 1,
        );
        const purged = await purgeExpired(world.store.db, now);
        expect(purged).toContainEqual({
          table: "consent_records",
          category: "consent-proof",
          removed: 2,
        });
        const left = (await records()).map(
          (r) => `${r.visitor_id}@${Number(r.recorded_at) - threeYearsAgo}`,
        );
        expect(left.sort()).toEqual(
          [
            "v_replacedexactly000@0",
            "v_replacedlater00000@-5000",
            "v_replacedlater00000@1",
            `v_lapsedlater0000000@${1 - lifetimeMs}`,
          ].sort(),
        );
      });
    });
  });
}
