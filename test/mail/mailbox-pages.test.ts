/**
 * The mailboxes page, over HTTP in process against a real Dovecot on loopback: an admin
 * connects an IMAP mailbox and sees when it was last read and its last error; a wrong password
 * is an error on its field; the test button logs in; removal needs its box ticked; recruiters
 * are refused, and an admin of another organisation cannot test or remove the mailbox (404).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { mailboxDepsFor } from "../../src/app/mailboxes.js";
import { fixedClock } from "../../src/clock.js";
import { pollNextMailbox } from "../../src/mail/mailboxes/poller.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import { createApp } from "../../src/web/app.js";
import { testDatabases } from "../support/databases.js";
import {
  createOrganisation,
  MASTER_KEY,
  type Organisation,
  send,
  T0,
  testConfig,
  viaSession,
  type World,
} from "../support/web-world.js";
import {
  DOVECOT_PASSWORD,
  DOVECOT_USER,
  type Dovecot,
  dovecotOrSkip,
  startDovecot,
} from "./dovecot.js";

const haveDovecot = dovecotOrSkip("the mailbox page tests");

describe.skipIf(!haveDovecot).each(await testDatabases())(
  "the mailboxes page on $dialect",
  (database) => {
    let dovecot: Dovecot;
    let world: World;
    let org: Organisation;
    let other: Organisation;

    beforeAll(async () => {
      dovecot = await startDovecot();
      const { store, url, drop } = await database.create();
      const clock = fixedClock(T0);
      // The test's IMAP server listens on loopback.
      const config = testConfig({ DATABASE_URL: url, ALLY_ALLOW_PRIVATE_MAIL_HOSTS: "true" });
      const deps = buildDeps(config, store, clock, MASTER_KEY);
      world = { store, url, clock, config, deps, ally: createApp(deps), drop };
      org = await createOrganisation(world, "Acme Hiring");
      other = await createOrganisation(world, "Other Ltd");
    }, 30_000);
    afterAll(async () => {
      await world?.drop();
      await dovecot?.stop();
    });

    const form = (overrides: Record<string, string> = {}) => ({
      label: "Recruiting",
      address: "recruiting@acme.example",
      host: dovecot.host,
      port: String(dovecot.port),
      tls: "no",
      username: DOVECOT_USER,
      password: DOVECOT_PASSWORD,
      handledFolder: "Ally/Handled",
      ...overrides,
    });

    const mailboxIds = async () =>
      (await world.store.db.selectFrom("mailbox_connections").select("id").execute()).map(
        (r) => r.id,
      );

    it("refuses a wrong password on its field, and saves nothing", async () => {
      const answer = await send(world.ally, "POST", "/app/mailboxes/imap", {
        as: viaSession(org.admin),
        form: form({ password: "wrong" }),
      });
      expect(answer.status).toBe(422);
      expect(answer.text).toMatch(/<input[^>]*id="field-password"[^>]*aria-invalid="true"/);
      expect(answer.text).toContain("refused this user name and password");
      expect(answer.text).not.toContain('wrong"');
      expect(await mailboxIds()).toEqual([]);
    });

    it("connects a mailbox for an admin and shows when it was last read and its last error", async () => {
      const answer = await send(world.ally, "POST", "/app/mailboxes/imap", {
        as: viaSession(org.admin),
        form: form(),
      });
      expect(answer.status, answer.text.slice(0, 300)).toBe(303);
      const before = await send(world.ally, "GET", "/app/mailboxes", { as: viaSession(org.admin) });
      expect(before.text).toContain("recruiting@acme.example");
      expect(before.text).toContain("Never");
      expect(before.text).not.toContain(DOVECOT_PASSWORD);

      const box = createSecretStore({ db: world.store.db, keyring: singleKeyring(MASTER_KEY) });
      const poller = {
        ...mailboxDepsFor(world.config, world.store, world.clock, box, world.deps.tombstones),
        intervalMs: 60_000,
      };
      expect(await pollNextMailbox(poller)).toBe(true);
      const after = await send(world.ally, "GET", "/app/mailboxes", { as: viaSession(org.admin) });
      // Tue 1 Dec 2026, 14:00 UTC: the test clock.
      expect(after.text).toContain("2026-12-01 14:00 UTC");

      await dovecot.stop();
      world.clock.advance(60_000);
      expect(await pollNextMailbox(poller)).toBe(true);
      const failing = await send(world.ally, "GET", "/app/mailboxes", {
        as: viaSession(org.admin),
      });
      expect(failing.text).toMatch(/ECONNREFUSED|connect/i);
      dovecot = await startDovecot();
    }, 30_000);

    it("lets an admin test a mailbox, and refuses an admin of another organisation (404)", async () => {
      const [id] = await mailboxIds();
      const theirs = await send(world.ally, "POST", "/app/mailboxes/test", {
        as: viaSession(other.admin),
        form: { mailbox: id ?? "" },
      });
      expect(theirs.status).toBe(404);
      expect(theirs.text).not.toContain("recruiting@acme.example");
      const removed = await send(world.ally, "POST", "/app/mailboxes/remove", {
        as: viaSession(other.owner),
        form: { remove: id ?? "", confirm: "yes" },
      });
      expect(removed.status).toBe(404);
      expect(await mailboxIds()).toEqual([id]);

      const ours = await send(world.ally, "POST", "/app/mailboxes/test", {
        as: viaSession(org.admin),
        form: { mailbox: id ?? "" },
      });
      expect(ours.status).toBe(200);
      // Dovecot was restarted on another port: the test says what went wrong, without secrets.
      expect(ours.text).toContain("Recruiting:");
      expect(ours.text).not.toContain(DOVECOT_PASSWORD);
    });

    it("refuses recruiters and interviewers", async () => {
      for (const person of [org.recruiter, org.interviewer]) {
        const answer = await send(world.ally, "GET", "/app/mailboxes", { as: viaSession(person) });
        expect(answer.status).toBe(403);
      }
    });

    it("removes a mailbox only with its box ticked", async () => {
      const [id] = await mailboxIds();
      const unticked = await send(world.ally, "POST", "/app/mailboxes/remove", {
        as: viaSession(org.owner),
        form: { remove: id ?? "" },
      });
      expect(unticked.status).toBe(422);
      expect(await mailboxIds()).toEqual([id]);
      const ticked = await send(world.ally, "POST", "/app/mailboxes/remove", {
        as: viaSession(org.owner),
        form: { remove: id ?? "", confirm: "yes" },
      });
      expect(ticked.status).toBe(200);
      expect(ticked.text).toContain("The mailbox was removed.");
      expect(await mailboxIds()).toEqual([]);
    });

    it("shows an inbound-parse webhook's key once, in the address to give the provider", async () => {
      const answer = await send(world.ally, "POST", "/app/mailboxes/webhook", {
        as: viaSession(org.admin),
        form: { webhookAddress: "jobs@acme.example" },
      });
      expect(answer.status).toBe(200);
      const shown =
        /http:\/\/(mbx_[A-Za-z0-9_-]+):([A-Za-z0-9_-]{43})@ally\.test\/api\/v1\/inbound-mail/.exec(
          answer.text,
        );
      expect(shown).not.toBeNull();
      const list = await send(world.ally, "GET", "/app/mailboxes", { as: viaSession(org.admin) });
      expect(list.text).toContain("jobs@acme.example");
      expect(list.text).not.toContain(shown?.[2] ?? "no key");
    });
  },
);
