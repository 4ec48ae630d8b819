/**
 * Publishing a new version of the privacy policy: every account holder is emailed through the
 * outbox, and each is asked to accept it at their next page view; who accepted which version
 * when is recorded. And the public contact form, on every database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountHolders } from "../../src/accounts/reads.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import {
  acceptancesOf,
  publishedPolicyVersion,
  publishPolicyVersion,
} from "../../src/privacy/policy-publication.js";
import { testDatabases } from "../support/databases.js";
import {
  createWorld,
  type Person,
  send,
  signUpOwner,
  viaSession,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

describe.each(databases)("a new version of the privacy policy on $dialect", (database) => {
  let world: World;
  let ada: Person;
  let ben: Person;

  beforeAll(async () => {
    world = await createWorld(database);
    ada = await signUpOwner(world);
    ben = await signUpOwner(world);
  });
  afterAll(async () => {
    await world?.drop();
  });

  it("asks nobody to accept anything before a version is published", async () => {
    expect(await publishedPolicyVersion(world.store.db)).toBeUndefined();
    expect((await send(world.ally, "GET", "/app", { as: viaSession(ada) })).status).toBe(200);
  });

  it("emails every account holder once, with a link to the new version", async () => {
    const result = await publishPolicyVersion({
      db: world.store.db,
      recipients: accountHolders,
      mail: enqueueMail,
      now: world.clock.now(),
      publicUrl: world.config.http.publicUrl,
    });
    expect(result).toEqual({ version: 1, notified: 2 });
    const mail = await world.store.db
      .selectFrom("outbox")
      .select(["to_address", "text_body"])
      .where("kind", "=", "privacy-policy-changed")
      .execute();
    expect(mail.map((m) => m.to_address).sort()).toEqual([ada.email, ben.email].sort());
    expect(mail[0]?.text_body).toContain("http://ally.test/privacy/v/1");
  });

  it("refuses to publish the same version twice", async () => {
    await expect(
      publishPolicyVersion(
        {
          db: world.store.db,
          recipients: accountHolders,
          mail: enqueueMail,
          now: world.clock.now(),
          publicUrl: "http://ally.test",
        },
        1,
      ),
    ).rejects.toMatchObject({ code: "CONFLICT" });
  });

  it("sends a member to the acceptance page until they accept, then records who accepted when", async () => {
    const blocked = await send(world.ally, "GET", "/app/account", { as: viaSession(ada) });
    expect(blocked.status).toBe(303);
    expect(blocked.headers.get("location")).toBe("/privacy/accept?next=%2Fapp%2Faccount");
    const ask = await send(world.ally, "GET", "/privacy/accept?next=/app/account", {
      as: viaSession(ada),
    });
    expect(ask.status).toBe(200);
    expect(ask.text).toContain("/privacy/v/1");
    const accepted = await send(world.ally, "POST", "/privacy/accept?next=/app/account", {
      as: viaSession(ada),
      form: { version: "1" },
    });
    expect(accepted.status).toBe(303);
    expect(accepted.headers.get("location")).toBe("/app/account");
    expect(await acceptancesOf(world.store.db, ada.userId)).toEqual([
      { version: 1, acceptedAt: world.clock.now() },
    ]);
    expect((await send(world.ally, "GET", "/app/account", { as: viaSession(ada) })).status).toBe(
      200,
    );
    // Ben has not accepted yet.
    expect((await send(world.ally, "GET", "/app", { as: viaSession(ben) })).status).toBe(303);
  });

  it("refuses to record acceptance of a version that is not the one in force", async () => {
    const answer = await send(world.ally, "POST", "/privacy/accept", {
      as: viaSession(ben),
      form: { version: "7" },
    });
    expect(answer.status).toBe(409);
    expect(await acceptancesOf(world.store.db, ben.userId)).toEqual([]);
  });
});

describe.each(databases)("the privacy contact form on $dialect", (database) => {
  let world: World;
  beforeAll(async () => {
    world = await createWorld(database);
  });
  afterAll(async () => {
    await world?.drop();
  });

  it("queues the message and acknowledges it by email at once", async () => {
    const answer = await send(world.ally, "POST", "/privacy/contact", {
      form: {
        name: "Rosa",
        email: "rosa@example.com",
        topic: "complaint",
        message: "Please delete my data now.",
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/P-\d+/);
    const ack = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", "rosa@example.com")
      .executeTakeFirst();
    expect(ack?.subject).toContain("We received your complaint");
  });

  it("shows what is wrong with a form that does not parse, and refuses one without its CSRF token", async () => {
    const bad = await send(world.ally, "POST", "/privacy/contact", {
      form: { name: "", email: "not-an-email", topic: "spam", message: "hi" },
    });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("Enter an email address");
    const forged = await send(world.ally, "POST", "/privacy/contact", {
      form: {
        name: "Rosa",
        email: "rosa@example.com",
        topic: "question",
        message: "A forged message here.",
      },
      csrf: false,
    });
    expect(forged.status).toBe(403);
  });
});
