/**
 * The retention page, on every database: an organisation's admin sees each kind of data's rule
 * in words, its limit, when the daily purge last ran and what it removed from their own
 * organisation; sets the months closed requests' candidates are kept, with a refusal that names
 * the field; other roles are refused, and another organisation's limit is its own.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRetentionPurge } from "../../src/retention/purge-job.js";
import { organisationLimits } from "../../src/retention/settings.js";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  T0,
  viaSession,
  type World,
} from "../support/web-world.js";

for (const database of await testDatabases()) {
  describe(`the retention page on ${database.dialect}`, () => {
    let world: World;
    let acme: Organisation;
    let globex: Organisation;

    beforeAll(async () => {
      world = await createWorld(database);
      acme = await createOrganisation(world, "Acme");
      globex = await createOrganisation(world, "Globex");
    });
    afterAll(async () => {
      await world?.drop();
    });

    it("shows every rule in words and that the purge has not run yet", async () => {
      const page = await send(world.ally, "GET", "/app/retention", { as: viaSession(acme.admin) });
      expect(page.status).toBe(200);
      expect(page.text).toContain("The purge has not run yet.");
      for (const words of [
        "Sessions",
        "removed when expired",
        "Audit log and answered privacy messages",
        "two years",
        "Closed interview requests and their candidates",
        "24 months after closing",
        "Privacy requests",
        "three years",
      ]) {
        expect(page.text).toContain(words);
      }
    });

    it("shows when the purge last ran and what it removed from the organisation", async () => {
      world.clock.set(T0);
      await runRetentionPurge({
        db: world.store.db,
        clock: world.clock,
        erasure: world.deps.erasure,
      });
      const page = await send(world.ally, "GET", "/app/retention", { as: viaSession(acme.owner) });
      expect(page.text).toContain("The purge last ran 2026-12-01 14:00 UTC.");
      expect(page.text).toContain("0 people");
      expect(page.text).toContain("Counted by Ally&#39;s operator");
    });

    it("refuses months out of range, naming the field, and keeps the limit", async () => {
      for (const value of ["0", "121", "twelve", ""]) {
        const answer = await send(world.ally, "POST", "/app/retention", {
          as: viaSession(acme.admin),
          form: { closedRequestsMonths: value },
        });
        expect(answer.status, value).toBe(422);
        expect(answer.text).toContain('href="#field-closedRequestsMonths"');
        expect(answer.text).toMatch(/Months after closing must be/);
      }
      expect(await organisationLimits(world.store.db, acme.owner.orgId)).toEqual({
        closedRequestsMonths: 24,
        chosen: false,
      });
    });

    it("saves the organisation's months, audited, for that organisation only", async () => {
      const answer = await send(world.ally, "POST", "/app/retention", {
        as: viaSession(acme.admin),
        form: { closedRequestsMonths: "12" },
      });
      expect(answer.status).toBe(303);
      expect(answer.headers.get("location")).toBe("/app/retention?saved=1");
      const page = await send(world.ally, "GET", "/app/retention?saved=1", {
        as: viaSession(acme.admin),
      });
      expect(page.text).toContain("Saved.");
      expect(page.text).toContain("12 months after closing");
      expect(page.text).toContain('value="12"');
      expect(
        (await organisationLimits(world.store.db, globex.owner.orgId)).closedRequestsMonths,
      ).toBe(24);
      const audit = await world.store.db
        .selectFrom("audit_log")
        .select(["action", "actor_user_id"])
        .where("organisation_id", "=", acme.owner.orgId)
        .where("action", "=", "retention-changed")
        .execute();
      expect(audit).toEqual([{ action: "retention-changed", actor_user_id: acme.admin.userId }]);
    });

    it("is for admins: recruiters and interviewers are refused", async () => {
      for (const person of [acme.recruiter, acme.interviewer]) {
        const page = await send(world.ally, "GET", "/app/retention", { as: viaSession(person) });
        expect(page.status).toBe(403);
        const post = await send(world.ally, "POST", "/app/retention", {
          as: viaSession(person),
          form: { closedRequestsMonths: "1" },
        });
        expect(post.status).toBe(403);
      }
      expect(
        (await organisationLimits(world.store.db, acme.owner.orgId)).closedRequestsMonths,
      ).toBe(12);
    });
  });
}
