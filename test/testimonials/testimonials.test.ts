/**
 * The testimonial commands on every database, through the services as `ally serve` builds them:
 * only owners and admins ask and decide, each within their organisation; a member's change takes
 * a published testimonial off the home page until the person consents to the new text; a
 * decline deletes the text; people who objected or were erased are not asked; two tabs cannot
 * both act on one state; the person's erasure leaves none of their rows; their access package
 * lists their testimonials; a closed organisation's testimonials go with it.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import { erasePerson } from "../../src/privacy/erasure.js";
import { setPersonFlag } from "../../src/privacy/restriction.js";
import { eraseTestimonialsOfOrganisation } from "../../src/testimonials/organisation-erasure.js";
import { testDatabases } from "../support/databases.js";
import { testimonialTokenFromMail } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  T0,
  unique,
  type World,
} from "../support/web-world.js";

const databases = await testDatabases();

async function refusal(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
  return "none";
}

describe.each(databases)("testimonials on $dialect", (database) => {
  let world: World;
  let acme: Organisation;
  let globex: Organisation;

  beforeAll(async () => {
    world = await createWorld(database);
    acme = await createOrganisation(world, "Acme Hiring");
    globex = await createOrganisation(world, "Globex Talent");
  });
  afterAll(async () => {
    await world?.drop();
  });

  const service = () => world.deps.testimonials;

  /** A person asked by Acme's owner, who wrote and consented to version 1. */
  async function consented(org = acme) {
    const n = unique();
    const person = { name: `Pat Person ${n}`, email: `pat-${n}@people.example` };
    const { id } = await service().request(org.owner.actor, person);
    const token = await testimonialTokenFromMail(world, person.email);
    await service().write(token, {
      quote: `Ally was quick and kind, note ${n}.`,
      displayName: "Pat",
    });
    await service().consent(token, 1);
    return { id, token, ...person, quote: `Ally was quick and kind, note ${n}.` };
  }

  it("lets only owners and admins ask and decide", async () => {
    const made = await consented();
    for (const who of [acme.recruiter, acme.interviewer]) {
      expect(
        await refusal(service().request(who.actor, { name: "X Y", email: "x@y.example" })),
      ).toBe("FORBIDDEN");
      expect(await refusal(service().publish(who.actor, made.id, 1))).toBe("FORBIDDEN");
      expect(await refusal(service().list(who.actor))).toBe("FORBIDDEN");
    }
    expect(await refusal(service().publish(acme.admin.actor, made.id, 1))).toBe("none");
  });

  it("keeps each organisation's testimonials to itself", async () => {
    const made = await consented();
    expect(await refusal(service().get(globex.owner.actor, made.id))).toBe("NOT_FOUND");
    expect(await refusal(service().publish(globex.owner.actor, made.id, 1))).toBe("NOT_FOUND");
    expect(await refusal(service().decline(globex.owner.actor, made.id))).toBe("NOT_FOUND");
    expect(
      await refusal(
        service().edit(globex.owner.actor, made.id, 1, {
          quote: "Hijacked text!",
          displayName: "Eve",
        }),
      ),
    ).toBe("NOT_FOUND");
    expect((await service().list(globex.owner.actor)).map((t) => t.id)).not.toContain(made.id);
    expect((await service().get(acme.owner.actor, made.id)).state.status).toBe("consented");
  });

  it("takes a published testimonial off the home page when a member changes it, until the person consents again", async () => {
    const made = await consented();
    await service().publish(acme.owner.actor, made.id, 1);
    expect((await service().published(100)).map((p) => p.quote)).toContain(made.quote);
    const changed = "Ally was quick, kind and exact.";
    await service().edit(acme.owner.actor, made.id, 1, { quote: changed, displayName: "Pat" });
    const shown = (await service().published(100)).map((p) => p.quote);
    expect(shown).not.toContain(made.quote);
    expect(shown).not.toContain(changed);
    expect(await refusal(service().publish(acme.owner.actor, made.id, 2))).toBe("CONFLICT");
    const mail = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", made.email)
      .where("kind", "=", "testimonial-changed")
      .execute();
    expect(mail.map((m) => m.subject)).toEqual([
      "Acme Hiring suggests a change to your testimonial",
    ]);
    // The person sees the member's version, and only their consent to it lets it be published.
    const token = await testimonialTokenFromMail(world, made.email);
    expect((await service().peek(token)).content?.quote).toBe(changed);
    await service().consent(token, 2);
    await service().publish(acme.owner.actor, made.id, 2);
    expect((await service().published(100)).map((p) => p.quote)).toContain(changed);
  });

  it("refuses a member's change made on a text that has since changed", async () => {
    const made = await consented();
    await service().write(made.token, { quote: "A newer text from Pat.", displayName: "Pat" });
    expect(
      await refusal(
        service().edit(acme.owner.actor, made.id, 1, { quote: "Older edit.", displayName: "Pat" }),
      ),
    ).toBe("CONFLICT");
  });

  it("deletes the text when a member declines, and the person's link says nothing will be published", async () => {
    const made = await consented();
    await service().decline(acme.owner.actor, made.id);
    const row = await world.store.db
      .selectFrom("testimonials")
      .selectAll()
      .where("id", "=", made.id)
      .executeTakeFirstOrThrow();
    expect([row.quote, row.display_name, row.status, Number(row.ended_at)]).toEqual([
      null,
      null,
      "declined",
      T0,
    ]);
    expect((await service().peek(made.token)).state.status).toBe("declined");
    expect(await refusal(service().consent(made.token, 1))).toBe("CONFLICT");
  });

  it("does not ask a person who objected to marketing, or who was erased", async () => {
    await setPersonFlag(world.store.db, "objector@people.example", "objected", T0, null);
    expect(
      await refusal(
        service().request(acme.owner.actor, {
          name: "Ob Jector",
          email: "Objector@People.example",
        }),
      ),
    ).toBe("CONFLICT");
    await erasePerson(world.deps.erasure, { email: "gone@people.example" });
    expect(
      await refusal(
        service().request(acme.owner.actor, { name: "Gone Person", email: "gone@people.example" }),
      ),
    ).toBe("PERSON_ERASED");
    const rows = await world.store.db
      .selectFrom("testimonials")
      .select("person_email")
      .where("person_email", "in", ["objector@people.example", "gone@people.example"])
      .execute();
    expect(rows).toEqual([]);
  });

  it("refuses a consent from a second tab once the text moved on, and records one step per change", async () => {
    const n = unique();
    const email = `tabs-${n}@people.example`;
    const { id } = await service().request(acme.owner.actor, { name: "Two Tabs", email });
    const token = await testimonialTokenFromMail(world, email);
    await service().write(token, { quote: "First words of mine.", displayName: "Tab" });
    await service().write(token, { quote: "Second words of mine.", displayName: "Tab" });
    // The first tab still shows version 1.
    expect(await refusal(service().consent(token, 1))).toBe("CONFLICT");
    await service().consent(token, 2);
    await service().consent(token, 2);
    await service().openLink(token);
    await service().openLink(token);
    const steps = (await service().get(acme.owner.actor, id)).steps.map(
      (s) => `${s.kind}:${s.actor}:${s.version ?? "-"}`,
    );
    expect(steps).toEqual([
      "requested:member:-",
      "link-sent:person:-",
      "written:person:1",
      "written:person:2",
      "consented:person:2",
      "link-sent:person:-",
      "viewed:person:2",
    ]);
  });

  it("erases the person from every testimonial table, and lists them in their access package first", async () => {
    const made = await consented();
    await consented(globex);
    const holders = await world.deps.privacy.holdersOf(world.store.db, made.email);
    expect(holders.organisations.map((o) => o.name)).toContain("Acme Hiring");
    const collected = await world.deps.privacy.collectRecords(
      world.store.db,
      made.email,
      acme.owner.orgId,
    );
    const section = collected.sections.find((s) => s.module === "testimonials");
    expect(section?.title).toBe("Testimonials Acme Hiring asked you for");
    expect(section?.records[0]).toMatchObject({
      email: made.email,
      status: "consented",
      quote: made.quote,
      consentedVersion: 1,
    });
    const proof = await erasePerson(world.deps.erasure, { email: made.email });
    expect(proof.tables.testimonials?.deleted).toBe(1);
    const traces: string[] = [];
    for (const table of ["testimonials", "testimonial_steps", "testimonial_links"]) {
      const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
        world.store.db,
      );
      for (const row of rows.rows) {
        if (row.id === made.id || row.testimonial_id === made.id) traces.push(`${table} row`);
        const text = JSON.stringify(row).toLowerCase();
        for (const trace of [made.email, made.name.toLowerCase(), made.quote.toLowerCase()]) {
          if (text.includes(trace)) traces.push(`${table} holds ${trace}`);
        }
      }
    }
    expect(traces).toEqual([]);
    // Their link opens nothing any more.
    expect(await refusal(service().peek(made.token))).toBe("NOT_FOUND");
  });

  it("erases for one organisation only when asked so", async () => {
    const n = unique();
    const email = `both-${n}@people.example`;
    await service().request(acme.owner.actor, { name: "Both Orgs", email });
    await service().request(globex.owner.actor, { name: "Both Orgs", email });
    await erasePerson(world.deps.erasure, { email, orgId: acme.owner.orgId });
    const left = await world.store.db
      .selectFrom("testimonials")
      .select("organisation_id")
      .where("person_email", "=", email)
      .execute();
    expect(left.map((r) => r.organisation_id)).toEqual([globex.owner.orgId]);
  });

  it("deletes a closed organisation's testimonials with their steps and links", async () => {
    const closing = await createOrganisation(world, "Closing Co");
    const made = await consented(closing);
    await service().publish(closing.owner.actor, made.id, 1);
    const result = await eraseTestimonialsOfOrganisation(world.store.db, closing.owner.orgId);
    expect(result.tables.testimonials).toBe(1);
    expect(result.tables.testimonial_steps).toBeGreaterThan(3);
    // One link per email: the request, the consent's confirmation, the publication.
    expect(result.tables.testimonial_links).toBe(3);
    expect((await service().published(100)).map((p) => p.id)).not.toContain(made.id);
  });
});
