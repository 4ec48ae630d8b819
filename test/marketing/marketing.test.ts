/**
 * Promotional email on both databases: lists belong to one organisation (or the operator);
 * people are on them only with recorded consent (a confirmed double opt-in, or an admin's
 * addition with its source); a send goes out in batches through the outbox with RFC 8058
 * headers, an unsubscribe link and, for consented recipients, a beacon; an opt-out suppresses
 * the address for every list of its scope, and only the person's fresh confirmation lifts it;
 * an erased person leaves only the suppression's keyed hash.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AppError } from "../../src/errors.js";
import { createMarketingKeys } from "../../src/marketing/keys.js";
import { OPERATOR } from "../../src/marketing/scope.js";
import { type SendDeps, sendBatch } from "../../src/marketing/send.js";
import { erasePerson } from "../../src/privacy/erasure.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  createWorld,
  MASTER_KEY,
  type Organisation,
  T0,
  unique,
  type World,
} from "../support/web-world.js";

const keys = createMarketingKeys(singleKeyring(MASTER_KEY));

for (const database of await testDatabases()) {
  describe(`promotional email on ${database.dialect}`, () => {
    let world: World;
    let acme: Organisation;
    let globex: Organisation;

    beforeAll(async () => {
      world = await createWorld(database);
      acme = await createOrganisation(world, "Acme");
      globex = await createOrganisation(world, "Globex");
    }, 60_000);
    afterAll(async () => {
      await world?.drop();
    });

    const deps = (batchSize = 50): SendDeps => ({
      keys,
      publicUrl: world.config.http.publicUrl,
      mailFrom: world.config.mail.from,
      unsubscribeMailbox: "ally@ally.test",
      batchSize,
      batchIntervalMs: 60_000,
    });
    const admin = (org: Organisation) => world.deps.marketing.forActor(org.admin.actor);
    const promotionsTo = (email: string) =>
      world.store.db
        .selectFrom("outbox")
        .selectAll()
        .where("to_address", "=", email)
        .where("kind", "=", "marketing")
        .orderBy("id")
        .execute();
    async function sendAll(messageId: string, batchSize = 50): Promise<number> {
      let runs = 0;
      for (;;) {
        runs += 1;
        if (
          (await sendBatch(world.store.db, deps(batchSize), messageId, world.clock.now())) !==
          "more"
        ) {
          return runs;
        }
      }
    }
    const email = (who: string) => `${who}-${unique()}@example.org`;
    async function listWith(org: Organisation, ...people: string[]) {
      const { id } = await admin(org).createList({ name: `Talent ${unique()}`, description: "" });
      for (const person of people) {
        await admin(org).addSubscriber(id, {
          email: person,
          consentSource: "Careers fair sign-up sheet",
        });
      }
      return id;
    }
    async function joinAndConfirm(listId: string, person: string): Promise<void> {
      await world.deps.marketing.join(listId, { email: person, name: "", consent: "yes" });
      const [mail] = (
        await world.store.db
          .selectFrom("outbox")
          .select("text_body")
          .where("to_address", "=", person)
          .where("kind", "=", "marketing-confirm")
          .orderBy("id", "desc")
          .execute()
      ).slice(0, 1);
      const token = /\/m\/confirm\/(\S+)/.exec(mail?.text_body ?? "")?.[1] ?? "";
      expect((await world.deps.marketing.confirm(token)).ok).toBe(true);
    }

    it("records an admin's addition with its consent source and time, and shows it only to its organisation", async () => {
      const dana = email("dana");
      const listId = await listWith(acme, dana);
      const [subscriber] = await admin(acme).subscribers(listId);
      expect(subscriber).toMatchObject({
        email: dana,
        consentMethod: "admin",
        consentSource: "Careers fair sign-up sheet",
        consentAt: T0,
        confirmedAt: T0,
      });
      await expect(admin(globex).subscribers(listId)).rejects.toMatchObject({ code: "NOT_FOUND" });
      await expect(
        admin(globex).send(listId, { subject: "Hi", text: "Hello" }),
      ).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      expect((await admin(globex).lists()).map((l) => l.id)).not.toContain(listId);
      expect(() => world.deps.marketing.forActor(acme.recruiter.actor)).toThrow(AppError);
    });

    it("refuses an admin's addition without a stated consent source", async () => {
      const listId = await listWith(acme);
      await expect(
        admin(acme).addSubscriber(listId, { email: email("nobody"), consentSource: "" }),
      ).rejects.toThrow(/Consent source/);
      expect(await admin(acme).subscribers(listId)).toEqual([]);
    });

    it("sends nothing to a person who asked to join until they confirm by the emailed link", async () => {
      const listId = await listWith(acme);
      const erin = email("erin");
      await world.deps.marketing.join(listId, { email: erin, name: "Erin", consent: "yes" });
      const { messageId } = await admin(acme).send(listId, { subject: "Before", text: "Hello" });
      await sendAll(messageId);
      expect(await promotionsTo(erin)).toEqual([]);
      const token = /\/m\/confirm\/(\S+)/.exec(
        (
          await world.store.db
            .selectFrom("outbox")
            .select("text_body")
            .where("to_address", "=", erin)
            .where("kind", "=", "marketing-confirm")
            .executeTakeFirstOrThrow()
        ).text_body,
      )?.[1] as string;
      // Looking at the link (a scanner's GET) changes nothing.
      expect(await world.deps.marketing.confirmation(token)).toMatchObject({ ok: true });
      expect((await admin(acme).subscribers(listId))[0]?.confirmedAt).toBeNull();
      expect(await world.deps.marketing.confirm(`${token.slice(0, -2)}xx`)).toEqual({
        ok: false,
        problem: "unknown",
      });
      await world.deps.marketing.confirm(token);
      const [subscriber] = await admin(acme).subscribers(listId);
      expect(subscriber).toMatchObject({
        consentMethod: "double-opt-in",
        consentAt: T0,
        confirmedAt: T0,
      });
      const { messageId: after } = await admin(acme).send(listId, {
        subject: "After",
        text: "Hello",
      });
      await sendAll(after);
      expect((await promotionsTo(erin)).map((m) => m.subject)).toEqual(["After"]);
    });

    it("queues a send in batches with RFC 8058 headers, an unsubscribe link and a beacon, counting progress", async () => {
      const people = [email("p1"), email("p2"), email("p3"), email("p4"), email("p5")];
      const listId = await listWith(acme, ...people);
      const { messageId, recipients } = await admin(acme).send(listId, {
        subject: "Open day",
        text: "Come and meet us.\n\nhttps://acme.example/open-day",
      });
      expect(recipients).toBe(5);
      expect((await admin(acme).progress(listId))[0]).toMatchObject({
        total: 5,
        queued: 0,
        pending: 5,
      });
      expect(await sendAll(messageId, 2)).toBe(3);
      expect((await admin(acme).progress(listId))[0]).toMatchObject({
        total: 5,
        queued: 5,
        skipped: 0,
        pending: 0,
        finishedAt: T0,
      });
      const [mail] = await promotionsTo(people[0] as string);
      const headers = JSON.parse(mail?.headers ?? "{}") as Record<string, string>;
      expect(headers["List-Unsubscribe"]).toMatch(
        /^<http:\/\/ally\.test\/u\/u\.[^>]+>, <mailto:ally@ally\.test\?subject=unsubscribe>$/,
      );
      expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
      expect(mail?.text_body).toContain("Unsubscribe: http://ally.test/u/u.");
      expect(mail?.html_body).toContain('<a href="https://acme.example/open-day">');
      expect(mail?.html_body).toMatch(
        /<img src="http:\/\/ally\.test\/m\/o\/o\.[^"]+" width="1" height="1" alt="">/,
      );
    });

    it("records an open as its hour only, once per recipient", async () => {
      const person = email("opener");
      const listId = await listWith(acme, person);
      const { messageId } = await admin(acme).send(listId, { subject: "Beacon", text: "Hi" });
      await sendAll(messageId);
      const [mail] = await promotionsTo(person);
      const token = /\/m\/o\/([^"]+)/.exec(mail?.html_body ?? "")?.[1] as string;
      // 14:37:12 on the test day: kept as 14:00.
      world.clock.set(T0 + 37 * 60_000 + 12_000);
      expect(await world.deps.marketing.open(token)).toBe(true);
      expect(await world.deps.marketing.open(token)).toBe(true);
      expect(await world.deps.marketing.open(`${token}x`)).toBe(false);
      world.clock.set(T0);
      const opens = await world.store.db
        .selectFrom("marketing_opens")
        .selectAll()
        .where("message_id", "=", messageId)
        .execute();
      expect(opens).toHaveLength(1);
      expect(Number(opens[0]?.opened_hour)).toBe(T0);
      expect((await admin(acme).progress(listId))[0]?.opens).toBe(1);
    });

    it("never puts a beacon in transactional mail", async () => {
      // Sign-ups, invitations and a confirmation request have put transactional mail in the outbox.
      await world.deps.marketing.join(await listWith(acme), {
        email: email("t"),
        name: "",
        consent: "yes",
      });
      const rows = await world.store.db
        .selectFrom("outbox")
        .select(["kind", "text_body", "html_body"])
        .execute();
      const kinds = new Set(rows.map((r) => r.kind));
      for (const kind of ["verify-email", "invitation", "marketing-confirm"])
        expect(kinds).toContain(kind);
      const beaconed = rows.filter((r) => `${r.text_body}${r.html_body ?? ""}`.includes("/m/o/"));
      expect(beaconed.length).toBeGreaterThan(0);
      expect(new Set(beaconed.map((r) => r.kind))).toEqual(new Set(["marketing"]));
    });

    it("suppresses an unsubscribed address for every list of the organisation, until the person confirms again", async () => {
      const fay = email("fay");
      const first = await listWith(acme, fay);
      const second = await listWith(acme, fay);
      const elsewhere = await listWith(globex, fay);
      const { messageId } = await admin(acme).send(first, { subject: "One", text: "Hi" });
      await sendAll(messageId);
      const token = /\/u\/(\S+)/.exec((await promotionsTo(fay))[0]?.text_body ?? "")?.[1] as string;
      // The unsubscribe page's GET changes nothing.
      expect(await world.deps.marketing.unsubscribeLink(token)).toMatchObject({
        ok: true,
        subscribed: true,
      });
      expect(await admin(acme).subscribers(first)).toHaveLength(1);
      await world.deps.marketing.unsubscribe(token, "link");
      expect(await admin(acme).subscribers(first)).toEqual([]);
      expect(await admin(acme).subscribers(second)).toEqual([]);
      expect(await world.deps.marketing.unsubscribeLink(token)).toMatchObject({
        ok: true,
        subscribed: false,
      });
      await expect(
        admin(acme).addSubscriber(second, {
          email: fay.toUpperCase(),
          consentSource: "Old spreadsheet",
        }),
      ).rejects.toMatchObject({ code: "CONFLICT" });
      const before = (await promotionsTo(fay)).length;
      for (const listId of [first, second]) {
        const { messageId: again } = await admin(acme).send(listId, {
          subject: "Again",
          text: "Hi",
        });
        await sendAll(again);
      }
      expect(await promotionsTo(fay)).toHaveLength(before);
      // Another organisation's list is its own: Globex still mails Fay.
      const { messageId: theirs } = await admin(globex).send(elsewhere, {
        subject: "Globex",
        text: "Hi",
      });
      await sendAll(theirs);
      expect((await promotionsTo(fay)).map((m) => m.subject)).toContain("Globex");
      const suppression = await world.store.db
        .selectFrom("marketing_suppressions")
        .selectAll()
        .where("organisation_id", "=", acme.owner.orgId)
        .execute();
      expect(suppression.map((s) => [s.method, s.list_id])).toEqual([["link", first]]);
      expect(JSON.stringify(suppression)).not.toContain(fay);
      // Her own confirmed request brings her back.
      await joinAndConfirm(second, fay);
      const { messageId: back } = await admin(acme).send(second, {
        subject: "Welcome back",
        text: "Hi",
      });
      await sendAll(back);
      expect((await promotionsTo(fay)).map((m) => m.subject)).toContain("Welcome back");
    });

    it("skips a delivery whose address opted out after the send began", async () => {
      const gus = email("gus");
      const listId = await listWith(acme, gus);
      const { messageId } = await admin(acme).send(listId, { subject: "Late", text: "Hi" });
      await world.deps.marketing.optOutByEmail(gus);
      await sendAll(messageId);
      expect(await promotionsTo(gus)).toEqual([]);
      expect((await admin(acme).progress(listId))[0]).toMatchObject({ queued: 0, skipped: 1 });
    });

    it("keeps the operator's list apart, and an opt-out by email covers it", async () => {
      const hana = email("hana");
      const operator = world.deps.marketing.operator;
      const { id: listId } = await operator.createList({ name: "Ally news", description: "" });
      await operator.addSubscriber(listId, {
        email: hana,
        consentSource: "Sign-up form, newsletter box",
      });
      expect((await admin(acme).lists()).map((l) => l.id)).not.toContain(listId);
      await expect(admin(acme).subscribers(listId)).rejects.toMatchObject({ code: "NOT_FOUND" });
      const acmeList = await listWith(acme, hana);
      // An opt-out of Acme's list leaves the operator's.
      const { messageId } = await admin(acme).send(acmeList, { subject: "Acme", text: "Hi" });
      await sendAll(messageId);
      const token = /\/u\/(\S+)/.exec(
        (await promotionsTo(hana))[0]?.text_body ?? "",
      )?.[1] as string;
      await world.deps.marketing.unsubscribe(token, "one-click");
      expect(await operator.subscribers(listId)).toHaveLength(1);
      await world.deps.marketing.optOutByEmail(hana);
      expect(await operator.subscribers(listId)).toEqual([]);
      const { messageId: news } = await operator.send(listId, { subject: "Ally news", text: "Hi" });
      await sendAll(news);
      expect((await promotionsTo(hana)).map((m) => m.subject)).toEqual(["Acme"]);
      const methods = await world.store.db
        .selectFrom("marketing_suppressions")
        .select(["organisation_id", "method"])
        .where("email_hash", "=", keys.addressHash(hana))
        .execute();
      expect(methods).toEqual(
        expect.arrayContaining([
          { organisation_id: acme.owner.orgId, method: "one-click" },
          { organisation_id: null, method: "email" },
        ]),
      );
    });

    it("lists a person's subscriptions and opt-outs in their access package", async () => {
      const ivy = email("ivy");
      const listId = await listWith(acme, ivy);
      await listWith(globex, ivy);
      const records = await world.deps.privacy.collectRecords(
        world.store.db,
        ivy,
        acme.owner.orgId,
      );
      const section = records.sections.find((s) => s.module === "marketing");
      expect(section?.records).toEqual([
        expect.objectContaining({
          email: ivy,
          consentMethod: "admin",
          consentSource: "Careers fair sign-up sheet",
        }),
      ]);
      expect(listId).toBeTruthy();
    });

    it("erases a person's subscriptions and keeps only their suppression, as a keyed hash", async () => {
      const jon = email("jon");
      const acmeList = await listWith(acme, jon);
      const { messageId } = await admin(acme).send(acmeList, { subject: "Hi", text: "Hi" });
      await sendAll(messageId);
      await world.deps.marketing.operator.addSubscriber(
        (
          await world.deps.marketing.operator.createList({
            name: `Op ${unique()}`,
            description: "",
          })
        ).id,
        { email: jon, consentSource: "Newsletter box on sign-up" },
      );
      await erasePerson(world.deps.erasure, { email: jon });
      const subscribers = await world.store.db
        .selectFrom("marketing_subscribers")
        .select("id")
        .where("email_hash", "=", keys.addressHash(jon))
        .execute();
      expect(subscribers).toEqual([]);
      const suppressed = await world.store.db
        .selectFrom("marketing_suppressions")
        .select(["organisation_id", "method"])
        .where("email_hash", "=", keys.addressHash(jon))
        .execute();
      expect(suppressed).toEqual(
        expect.arrayContaining([
          { organisation_id: null, method: "erasure" },
          { organisation_id: acme.owner.orgId, method: "erasure" },
        ]),
      );
      await expect(
        admin(acme).addSubscriber(acmeList, {
          email: jon,
          consentSource: "Re-import of an old list",
        }),
      ).rejects.toMatchObject({ code: "CONFLICT" });
      expect(OPERATOR).toBe("operator");
    });
  });
}
