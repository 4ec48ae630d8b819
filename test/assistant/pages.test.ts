/**
 * The assistant's pages: the organisation's Ally address and review mode on the settings page
 * and the new-request page; review mode saved by an owner; escalations listed for the
 * organisation only.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  send,
  viaSession,
  type World,
} from "../support/web-world.js";

const [database] = await testDatabases();

describe("the assistant's pages", () => {
  let world: World;
  let org: Organisation;

  beforeAll(async () => {
    if (database === undefined) throw new Error("no database");
    world = await createWorld(database);
    org = await createOrganisation(world);
  }, 60_000);

  afterAll(async () => {
    await world?.drop();
  });

  it("shows the organisation's Ally address on the settings and new-request pages", async () => {
    const address = (await world.deps.assistant?.settings(org.owner.orgId))?.address ?? "";
    expect(address).toMatch(/^ally-[0-9a-f]+@ally\.test$/);
    const settings = await send(world.ally, "GET", "/app/assistant/settings", {
      as: viaSession(org.recruiter),
    });
    expect(settings.status).toBe(200);
    expect(settings.text).toContain(address);
    const fresh = await send(world.ally, "GET", "/app/requests/new", {
      as: viaSession(org.recruiter),
    });
    expect(fresh.text).toContain(address);
    expect(fresh.text).toContain("review mode off");
  });

  it("lets an owner turn review mode on, shown on the escalations page", async () => {
    const saved = await send(world.ally, "POST", "/app/assistant/settings", {
      as: viaSession(org.owner),
      form: { reviewMode: "on", followUpsMax: "1" },
    });
    expect(saved.status).toBe(303);
    const page = await send(world.ally, "GET", "/app/assistant/escalations", {
      as: viaSession(org.recruiter),
    });
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/review mode is\s*<strong>on<\/strong>/);
    expect(page.text).toContain("Nothing is waiting for you.");
  });

  it("answers 404 for an unknown escalation, saying so on its field", async () => {
    const answer = await send(world.ally, "POST", "/app/assistant/escalations/approve", {
      as: viaSession(org.recruiter),
      form: { escalationId: "esc_none" },
    });
    expect(answer.status).toBe(404);
    expect(answer.text).toContain("No open escalation with this id.");
  });
});
