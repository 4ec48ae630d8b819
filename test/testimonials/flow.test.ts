/**
 * A testimonial end to end through the pages, on every database: Rita, an organisation's
 * owner, asks Sam for a testimonial on /app/testimonials; the request email is captured from
 * the outbox with its signed link; Sam opens it, writes a text (with markup in it), sees exactly
 * what would be published, is refused without ticking the box, consents, and gets a confirmation
 * with a one-click removal link; Rita publishes the version Sam consented to; the home page shows
 * it, escaped, with the name and role Sam chose and nothing else about Sam; Sam removes it with
 * one click and it is gone from the home page at once, its text deleted; every step is in the
 * history with its time and actor.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

const databases = await testDatabases();
const SAM = { name: "Samira Quoteworthy", email: "samira.q@customer.example" };
const QUOTE = `Ally booked five interviews in a day <script>alert("x")</script> & kept everyone's hours.`;

describe.each(databases)("a testimonial from request to removal on $dialect", (database) => {
  let world: World;
  let org: Organisation;
  let token = "";
  let testimonialId = "";

  const outbox = (kind: string) =>
    world.store.db
      .selectFrom("outbox")
      .select(["to_address", "subject", "text_body"])
      .where("kind", "=", kind)
      .where("to_address", "=", SAM.email)
      .orderBy("id", "desc")
      .execute();
  const home = async () => (await send(world.ally, "GET", "/")).text;

  beforeAll(async () => {
    world = await createWorld(database);
    org = await createOrganisation(world, "Orbital Works");
  });
  afterAll(async () => {
    await world?.drop();
  });

  it("sends the request by email with a signed link, from the admin's form", async () => {
    const asked = await send(world.ally, "POST", "/app/testimonials", {
      as: viaSession(org.owner),
      form: { name: SAM.name, email: SAM.email },
    });
    expect(asked.status).toBe(303);
    testimonialId = /\/app\/testimonials\/(tml_[A-Za-z0-9_-]+)/.exec(
      asked.headers.get("location") ?? "",
    )?.[1] as string;
    const [mail] = await outbox("testimonial-request");
    expect(mail?.subject).toBe("Would you write a few words about Orbital Works?");
    expect(mail?.text_body).toContain("Nothing is published unless you agree");
    token = /http:\/\/ally\.test\/testimonial\/(tm_[A-Za-z0-9_-]{43})/.exec(
      mail?.text_body ?? "",
    )?.[1] as string;
    expect(token).toMatch(/^tm_/);
    // Only the link's hash is stored.
    const links = await world.store.db.selectFrom("testimonial_links").selectAll().execute();
    expect(JSON.stringify(links)).not.toContain(token);
  });

  it("shows the person a form, and nothing is published before consent", async () => {
    const page = await send(world.ally, "GET", `/testimonial/${token}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("Your testimonial for Orbital Works");
    expect(page.headers.get("cache-control")).toBe("no-store");
    const written = await send(world.ally, "POST", `/testimonial/${token}/write`, {
      form: { quote: QUOTE, displayName: "Samira", role: "Head of Talent", company: "" },
    });
    expect(written.status).toBe(303);
    const preview = await send(world.ally, "GET", `/testimonial/${token}?done=saved`);
    expect(preview.text).toContain("Exactly what would be published");
    expect(preview.text).toContain("&lt;script&gt;");
    expect(preview.text).not.toContain("<script>alert");
    // The consent box comes unticked.
    expect(/<input[^>]*name="consent"[^>]*>/.exec(preview.text)?.[0]).not.toContain("checked");
    expect(await home()).not.toContain("Samira");
  });

  it("refuses publication before consent, and consent without the box ticked", async () => {
    const early = await send(world.ally, "POST", `/app/testimonials/${testimonialId}/publish`, {
      as: viaSession(org.owner),
      form: { version: "1" },
    });
    expect(early.status).toBe(409);
    expect(early.text).toContain("The person has not agreed to publish this text.");
    const unticked = await send(world.ally, "POST", `/testimonial/${token}/consent`, {
      form: { version: "1" },
    });
    expect(unticked.status).toBe(422);
    expect(unticked.text).toContain("Tick the box to agree");
    expect(await home()).not.toContain("Samira");
  });

  it("records consent to the version shown, and emails a confirmation with a removal link", async () => {
    world.clock.set(T0 + 60_000);
    const stale = await send(world.ally, "POST", `/testimonial/${token}/consent`, {
      form: { consent: "yes", version: "0" },
    });
    expect(stale.status).toBe(409);
    const consented = await send(world.ally, "POST", `/testimonial/${token}/consent`, {
      form: { consent: "yes", version: "1" },
    });
    expect(consented.status).toBe(303);
    const [mail] = await outbox("testimonial-consented");
    expect(mail?.text_body).toContain("You agreed to publish this text (version 1)");
    expect(mail?.text_body).toMatch(/\/testimonial\/tm_[A-Za-z0-9_-]{43}\/remove/);
    // Consent alone publishes nothing: the organisation decides next.
    expect(await home()).not.toContain("Samira");
  });

  it("publishes the consented version, on the home page, escaped, with only what was consented", async () => {
    world.clock.set(T0 + 120_000);
    const published = await send(world.ally, "POST", `/app/testimonials/${testimonialId}/publish`, {
      as: viaSession(org.owner),
      form: { version: "1" },
    });
    expect(published.status).toBe(303);
    const page = await home();
    expect(page).toContain("What people say");
    expect(page).toContain("Samira");
    expect(page).toContain("Head of Talent");
    expect(page).toContain("Ally booked five interviews in a day &lt;script&gt;");
    expect(page).not.toContain("<script>alert");
    expect(page).not.toContain(SAM.email);
    expect(page).not.toContain(SAM.name);
    expect(page).not.toContain("Orbital Works");
    expect((await outbox("testimonial-published")).length).toBe(1);
  });

  it("keeps the history of every step with its time and actor", async () => {
    const detail = await send(world.ally, "GET", `/app/testimonials/${testimonialId}`, {
      as: viaSession(org.owner),
    });
    expect(detail.status).toBe(200);
    for (const line of [
      "Asked by",
      "Email with a link sent to the person",
      "Opened by the person",
      "Written by the person (version 1)",
      "Consent to publish given by the person (version 1)",
      "Published by",
    ]) {
      expect(detail.text).toContain(line);
    }
    expect(detail.text).toContain("2026-12-01 14:02 UTC");
  });

  it("removes it with one click from the emailed link: gone from the home page at once, its text deleted", async () => {
    const [mail] = await outbox("testimonial-published");
    const removal = /http:\/\/ally\.test(\/testimonial\/tm_[A-Za-z0-9_-]{43}\/remove)/.exec(
      mail?.text_body ?? "",
    )?.[1] as string;
    // Opening the link (as a mail scanner would) removes nothing: the page has the one button.
    const opened = await send(world.ally, "GET", removal);
    expect(opened.status).toBe(200);
    expect(opened.text).toContain("Remove my testimonial");
    expect(await home()).toContain("Samira");
    const removed = await send(world.ally, "POST", removal);
    expect(removed.status).toBe(303);
    expect(await home()).not.toContain("Samira");
    const row = await world.store.db
      .selectFrom("testimonials")
      .selectAll()
      .where("id", "=", testimonialId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe("removed");
    expect([row.quote, row.display_name, row.role, row.company]).toEqual([null, null, null, null]);
    const after = await send(world.ally, "GET", `/testimonial/${token}`);
    expect(after.text).toContain("Your testimonial was removed");
    // The admin can no longer publish it.
    const again = await send(world.ally, "POST", `/app/testimonials/${testimonialId}/publish`, {
      as: viaSession(org.owner),
      form: { version: "1" },
    });
    expect(again.status).toBe(409);
    expect(await home()).not.toContain("Samira");
  });
});
