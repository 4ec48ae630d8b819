/**
 * Closed interview requests and their candidates (the `customer` category), on every database:
 * once every request of a candidate has been closed for the organisation's limit (24 months by
 * default, or its own), the daily purge erases the candidate from that organisation through the
 * modules' erasure steps: at the limit and not one millisecond before, without a tombstone, and
 * never a candidate with a request still open or another organisation's.
 */
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERASED_CANDIDATE_NAME } from "../../src/hiring/erasure.js";
import { runRetentionPurge } from "../../src/retention/purge-job.js";
import { saveOrganisationLimits } from "../../src/retention/settings.js";
import { testDatabases } from "../support/databases.js";
import { makeRequest, sendRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  type World,
} from "../support/web-world.js";

// Sat 15 Mar 2025, 10:00 UTC: when the requests are closed.
const CLOSED_AT = Date.UTC(2025, 2, 15, 10, 0);
const monthsAfter = (months: number) =>
  Temporal.Instant.fromEpochMilliseconds(CLOSED_AT).toZonedDateTimeISO("UTC").add({ months })
    .epochMilliseconds;

for (const database of await testDatabases()) {
  describe(`closed requests' candidates on ${database.dialect}`, () => {
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

    const purgeAt = async (epochMs: number) => {
      world.clock.set(epochMs);
      return runRetentionPurge({
        db: world.store.db,
        clock: world.clock,
        erasure: world.deps.erasure,
      });
    };

    /** A request sent to its candidate, then cancelled at CLOSED_AT. */
    const closedRequest = async (org: Organisation) => {
      world.clock.set(CLOSED_AT - 86_400_000);
      const made = await makeRequest(world, org);
      await sendRequest(world, org.owner, made.request.id);
      world.clock.set(CLOSED_AT);
      await world.deps.booking.cancel(org.owner.actor, made.request.id);
      return made;
    };
    const candidate = (email: string) =>
      world.store.db
        .selectFrom("candidates")
        .select(["name", "email"])
        .where("email", "in", [email, ""])
        .execute();
    const state = async (requestId: string, email: string) => {
      const request = await world.store.db
        .selectFrom("interview_requests")
        .select(["notes", "status"])
        .where("id", "=", requestId)
        .executeTakeFirstOrThrow();
      const links = await world.store.db
        .selectFrom("booking_links")
        .select("id")
        .where("request_id", "=", requestId)
        .execute();
      const kept = await world.store.db
        .selectFrom("candidates")
        .select("name")
        .where("email", "=", email)
        .execute();
      return {
        notes: request.notes,
        status: request.status,
        links: links.length,
        kept: kept.length,
      };
    };

    it("erases a closed request's candidate 24 months after closing by default, not a millisecond before", async () => {
      const { request, candidateEmail } = await closedRequest(acme);
      const open = await makeRequest(world, acme);
      expect((await state(request.id, candidateEmail)).links).toBeGreaterThan(0);

      await purgeAt(monthsAfter(24) - 1);
      expect(await state(request.id, candidateEmail)).toMatchObject({ kept: 1 });
      expect((await state(request.id, candidateEmail)).notes).not.toBeNull();

      const run = await purgeAt(monthsAfter(24));
      expect(await state(request.id, candidateEmail)).toEqual({
        notes: null,
        status: "cancelled",
        links: 0,
        kept: 0,
      });
      expect(await candidate(candidateEmail)).toContainEqual({
        name: ERASED_CANDIDATE_NAME,
        email: "",
      });
      // The request still open keeps its candidate.
      expect(await state(open.request.id, open.candidateEmail)).toMatchObject({ kept: 1 });
      const mine = run.categories.find(
        (c) => c.category === "customer" && c.organisationId === acme.owner.orgId,
      );
      expect(mine).toMatchObject({ removed: 1, error: null });
      // No tombstone: the person may apply again.
      const tombstones = await world.store.db
        .selectFrom("erasure_tombstones")
        .selectAll()
        .execute();
      expect(tombstones).toEqual([]);
      const audit = await world.store.db
        .selectFrom("audit_log")
        .select("action")
        .where("organisation_id", "=", acme.owner.orgId)
        .where("action", "=", "retention-erasure")
        .execute();
      expect(audit).toHaveLength(1);
    });

    it("uses the organisation's own limit, and leaves other organisations to theirs", async () => {
      world.clock.set(CLOSED_AT);
      await saveOrganisationLimits(
        world.store.db,
        globex.owner.actor,
        { closedRequestsMonths: "3" },
        CLOSED_AT,
      );
      const atGlobex = await closedRequest(globex);
      const atAcme = await closedRequest(acme);

      await purgeAt(monthsAfter(3) - 1);
      expect(await state(atGlobex.request.id, atGlobex.candidateEmail)).toMatchObject({ kept: 1 });

      await purgeAt(monthsAfter(3));
      expect(await state(atGlobex.request.id, atGlobex.candidateEmail)).toMatchObject({
        kept: 0,
        notes: null,
      });
      expect(await state(atAcme.request.id, atAcme.candidateEmail)).toMatchObject({ kept: 1 });
    });

    it("keeps a candidate while any request of theirs is open, however old the closed ones", async () => {
      const closed = await closedRequest(acme);
      const candidateId = (
        await world.store.db
          .selectFrom("interview_requests")
          .select("candidate_id")
          .where("id", "=", closed.request.id)
          .executeTakeFirstOrThrow()
      ).candidate_id;
      const job = await world.deps.hiring.createJob(acme.owner.actor, {
        title: "Another role",
        department: null,
        location: null,
        description: null,
      });
      await world.deps.booking.createRequest(acme.owner.actor, {
        candidateId,
        jobId: job.id,
        sessions: [{ name: "Chat", durationMinutes: 30, interviewerIds: [acme.owner.userId] }],
        windowStart: "2026-12-02T00:00:00Z",
        windowEnd: "2026-12-05T00:00:00Z",
      });
      await purgeAt(monthsAfter(60));
      expect(await state(closed.request.id, closed.candidateEmail)).toMatchObject({ kept: 1 });
    });
  });
}
