/**
 * Dead jobs through the API, on every database: an admin lists the work Ally gave up on in their
 * organisation (never another's), puts a message back in its queue, and it is then sent once.
 * Who may call the routes at all is covered by the generated authorisation matrix.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueMail } from "../../src/mail/outbox.js";
import { type MailTransport, sendNext } from "../../src/mail/outbox-worker.js";
import { testDatabases } from "../support/databases.js";
import {
  apiTokenFor,
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  viaToken,
  type World,
} from "../support/web-world.js";

const DeadJobs = (value: unknown) =>
  (value as { deadJobs: Array<{ id: string; queue: string; kind: string; lastError: string }> })
    .deadJobs;

for (const database of await testDatabases()) {
  describe(`dead jobs through the API on ${database.dialect}`, () => {
    let world: World;
    let a: Organisation;
    let b: Organisation;

    beforeAll(async () => {
      world = await createWorld(database);
      a = await createOrganisation(world);
      b = await createOrganisation(world);
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    it("lists a message the outbox gave up on to its organisation's admin, who retries it, and it is sent once", async () => {
      await enqueueMail(
        world.store.db,
        {
          organisationId: a.owner.orgId,
          kind: "test-notice",
          to: "sam@example.com",
          subject: "Your interview",
          text: "See you soon.",
        },
        world.clock.now(),
      );
      let failing = true;
      const sent: string[] = [];
      const transport: MailTransport = {
        async send(message) {
          if (failing) throw new Error("421 relay unavailable");
          sent.push(message.subject);
          return {};
        },
        close() {},
      };
      const deps = {
        db: world.store.db,
        clock: world.clock,
        transport,
        from: "Ally <ally@ally.test>",
        maxAttempts: 1,
      };
      while (await sendNext(deps)) {
        // every message due fails its only attempt
      }

      const admin = (await apiTokenFor(world, a.admin)).token;
      const listed = await send(world.ally, "GET", "/api/v1/dead-jobs", { as: viaToken(admin) });
      expect(listed.status).toBe(200);
      const dead = DeadJobs(listed.json()).find((d) => d.kind === "test-notice");
      expect(dead).toMatchObject({ queue: "outbox", lastError: "421 relay unavailable" });
      expect(dead?.id).toMatch(/^outbox\.\d+$/);
      expect(listed.text).not.toContain("sam@example.com");

      const outsider = (await apiTokenFor(world, b.admin)).token;
      const theirs = await send(world.ally, "GET", "/api/v1/dead-jobs", {
        as: viaToken(outsider),
      });
      expect(DeadJobs(theirs.json()).map((d) => d.id)).not.toContain(dead?.id);
      const stolen = await send(world.ally, "POST", `/api/v1/dead-jobs/${dead?.id}/retry`, {
        as: viaToken(outsider),
      });
      expect(stolen.status).toBe(404);

      const retried = await send(world.ally, "POST", `/api/v1/dead-jobs/${dead?.id}/retry`, {
        as: viaToken(admin),
      });
      expect(retried.status).toBe(204);
      const again = await send(world.ally, "POST", `/api/v1/dead-jobs/${dead?.id}/retry`, {
        as: viaToken(admin),
      });
      expect(again.status).toBe(404);

      // Ids of the wrong shape are ids that exist nowhere; an overlong one is refused as input.
      for (const id of ["outbox", "outbox.0", "outbox.-1", "nowhere.1", "outbox.1e3", "%20"]) {
        const answer = await send(world.ally, "POST", `/api/v1/dead-jobs/${id}/retry`, {
          as: viaToken(admin),
        });
        expect(answer.status, id).toBe(404);
      }
      const overlong = await send(
        world.ally,
        "POST",
        `/api/v1/dead-jobs/outbox.${"1".repeat(300)}/retry`,
        { as: viaToken(admin) },
      );
      expect(overlong.status).toBe(422);

      failing = false;
      while (await sendNext(deps)) {
        // until nothing is due
      }
      expect(sent).toEqual(["Your interview"]);
      const after = await send(world.ally, "GET", "/api/v1/dead-jobs", { as: viaToken(admin) });
      expect(DeadJobs(after.json()).map((d) => d.id)).not.toContain(dead?.id);
    });
  });
}
