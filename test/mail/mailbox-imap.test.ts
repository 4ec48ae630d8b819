/**
 * Connected IMAP mailboxes against a real Dovecot on loopback, on every database: Ally reads only
 * mail that arrives after the mailbox was connected, stores each message once (across polls,
 * restarts, two pollers at once, the same message appended twice, and a UIDVALIDITY change),
 * moves what it stored to Ally/Handled, and keeps a failing mailbox's error with a growing wait.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { AppError } from "../../src/errors.js";
import { mintOrgId } from "../../src/ids.js";
import { type Envelope, handleNextInbound, storeInbound } from "../../src/mail/inbound.js";
import {
  createMailboxes,
  DEFAULT_HANDLED_FOLDER,
  type MailboxActor,
} from "../../src/mail/mailboxes/connections.js";
import { backoffMs, type PollerDeps, pollNextMailbox } from "../../src/mail/mailboxes/poller.js";
import { sealSecret } from "../../src/mail/mailboxes/secret.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";
import {
  appendToInbox,
  DOVECOT_PASSWORD,
  DOVECOT_USER,
  type Dovecot,
  deliveredMessage,
  dovecotOrSkip,
  startDovecot,
} from "./dovecot.js";

// Tue 1 Dec 2026, 09:00 UTC
const NOW = Date.UTC(2026, 11, 1, 9, 0);
const INTERVAL_MS = 60_000;
const MASTER_KEY = Buffer.alloc(32, 5);
const ALLY_ADDRESS = "recruiting@example.com";

const haveDovecot = dovecotOrSkip("the IMAP mailbox tests");

describe.skipIf(!haveDovecot).each(await testDatabases())(
  "IMAP mailboxes on $dialect",
  (database) => {
    let dovecot: Dovecot;
    let store: Store;
    let drop: () => Promise<void>;
    const clock = fixedClock(NOW);
    let orgCount = 0;

    beforeAll(async () => {
      dovecot = await startDovecot();
      const created = await database.create();
      store = created.store;
      drop = created.drop;
    }, 30_000);
    afterAll(async () => {
      await drop?.();
      await dovecot?.stop();
    });

    /** Empties the test user's INBOX and handled folder and Ally's store: each test starts afresh. */
    beforeEach(async () => {
      clock.set(NOW);
      const client = await dovecot.client();
      try {
        for (const folder of ["INBOX", DEFAULT_HANDLED_FOLDER]) {
          const status = await client
            .status(folder, { messages: true })
            .catch(() => false as const);
          if (status === false || status.messages === 0) continue;
          const lock = await client.getMailboxLock(folder);
          try {
            await client.messageDelete("1:*");
          } finally {
            lock.release();
          }
        }
      } finally {
        await client.logout();
      }
      await store.db.deleteFrom("inbound_mail").execute();
      // Every test's connection reads the same Dovecot user: one connection at a time.
      await store.db.deleteFrom("mailbox_connections").execute();
    });

    async function newOrganisation(): Promise<MailboxActor> {
      orgCount += 1;
      const id = `org_imap_${orgCount}`;
      await store.db
        .insertInto("organisations")
        .values({ id, name: `Organisation ${orgCount}`, created_at: NOW })
        .execute();
      return { orgId: mintOrgId(id), mayManage: true };
    }

    const box = () =>
      createSecretStore({ db: store.db, keyring: singleKeyring(MASTER_KEY), clock });

    /** A process's view of the mailboxes: fresh objects each time, as after a restart. */
    function process(): { mailboxes: ReturnType<typeof createMailboxes>; poller: PollerDeps } {
      const deps = {
        db: store.db,
        clock,
        box: box(),
        resolveHost: async (host: string) => host,
        maxBytes: 30 * 1024 * 1024,
        timeoutMs: 5_000,
        store: (raw: Buffer, envelope: Envelope) =>
          storeInbound(store.db, raw, envelope, clock.now()),
      };
      return { mailboxes: createMailboxes(deps), poller: { ...deps, intervalMs: INTERVAL_MS } };
    }

    const imapInput = (overrides: Partial<{ password: string; handledFolder: string }> = {}) => ({
      label: "Recruiting inbox",
      address: ALLY_ADDRESS,
      host: dovecot.host,
      port: dovecot.port,
      tls: false,
      username: DOVECOT_USER,
      password: DOVECOT_PASSWORD,
      handledFolder: DEFAULT_HANDLED_FOLDER,
      ...overrides,
    });

    const storedIds = async () =>
      (await store.db.selectFrom("inbound_mail").select("message_id").orderBy("id").execute()).map(
        (row) => row.message_id,
      );

    async function folderCount(folder: string): Promise<number> {
      const client = await dovecot.client();
      try {
        const status = await client.status(folder, { messages: true }).catch(() => false as const);
        return status === false ? 0 : (status.messages ?? 0);
      } finally {
        await client.logout();
      }
    }

    /** Polls until no mailbox is due, then lets the interval pass. */
    async function pollAll(poller: PollerDeps): Promise<void> {
      while (await pollNextMailbox(poller)) {
        // every due mailbox once
      }
      clock.advance(INTERVAL_MS);
    }

    it("reads only mail that arrives after connecting, stores it with its envelope, and moves it to Ally/Handled", async () => {
      const actor = await newOrganisation();
      await appendToInbox(dovecot, [deliveredMessage({ messageId: "<old@example.org>" })]);
      const { mailboxes, poller } = process();
      const connection = await mailboxes.connectImap(actor, imapInput());
      await appendToInbox(dovecot, [
        deliveredMessage({ messageId: "<new-1@example.org>" }),
        deliveredMessage({ messageId: "<new-2@example.org>", returnPath: "" }),
      ]);
      await pollAll(poller);

      expect(await storedIds()).toEqual(["<new-1@example.org>", "<new-2@example.org>"]);
      const rows = await store.db.selectFrom("inbound_mail").selectAll().orderBy("id").execute();
      expect(rows.map((row) => [row.envelope_from, JSON.parse(row.envelope_to)])).toEqual([
        ["dana@example.org", [ALLY_ADDRESS]],
        // An empty Return-Path (a bounce, an auto-reply) stays empty: Ally never answers it.
        ["", [ALLY_ADDRESS]],
      ]);
      expect(await folderCount("INBOX")).toBe(1);
      expect(await folderCount(DEFAULT_HANDLED_FOLDER)).toBe(2);
      const [listed] = await mailboxes.list(actor);
      expect(listed).toMatchObject({ id: connection.id, lastError: null });
      expect(listed?.lastPolledAt).toBe(new Date(NOW).toISOString());
    });

    it("stores each message once across polls, a restart, and the same message appended again", async () => {
      const actor = await newOrganisation();
      const first = process();
      await first.mailboxes.connectImap(actor, imapInput({ handledFolder: "" }));
      await appendToInbox(dovecot, [deliveredMessage({ messageId: "<a@example.org>" })]);
      await pollAll(first.poller);
      await pollAll(first.poller);

      const restarted = process();
      await appendToInbox(dovecot, [
        deliveredMessage({ messageId: "<b@example.org>" }),
        deliveredMessage({ messageId: "<a@example.org>" }),
      ]);
      await pollAll(restarted.poller);
      await pollAll(restarted.poller);

      expect(await storedIds()).toEqual(["<a@example.org>", "<b@example.org>"]);
      // Left in place when no handled folder is set.
      expect(await folderCount("INBOX")).toBe(3);

      const handled: string[] = [];
      const worker = {
        db: store.db,
        clock,
        handlers: [
          async (message: { messageId: string }) => {
            handled.push(message.messageId);
            return "read";
          },
        ],
      };
      while (await handleNextInbound(worker)) {
        // until every stored message was offered
      }
      expect(handled).toEqual(["<a@example.org>", "<b@example.org>"]);
    });

    it("reads the INBOX again after a UIDVALIDITY change without storing any message twice", async () => {
      const actor = await newOrganisation();
      const { mailboxes, poller } = process();
      const connection = await mailboxes.connectImap(actor, imapInput({ handledFolder: "" }));
      await appendToInbox(dovecot, [
        deliveredMessage({ messageId: "<before-1@example.org>" }),
        deliveredMessage({ messageId: "<before-2@example.org>" }),
      ]);
      await pollAll(poller);

      dovecot.changeUidValidity(424_242);
      await appendToInbox(dovecot, [deliveredMessage({ messageId: "<after@example.org>" })]);
      await pollAll(poller);

      expect(await storedIds()).toEqual([
        "<before-1@example.org>",
        "<before-2@example.org>",
        "<after@example.org>",
      ]);
      const row = await store.db
        .selectFrom("mailbox_connections")
        .select(["uidvalidity", "last_uid"])
        .where("id", "=", connection.id)
        .executeTakeFirstOrThrow();
      expect(Number(row.uidvalidity)).toBe(424_242);
      const client = await dovecot.client();
      const status = await client.status("INBOX", { uidNext: true });
      await client.logout();
      expect(Number(row.last_uid)).toBe(status === false ? -1 : (status.uidNext ?? 0) - 1);
    });

    it("lets two pollers share the mailboxes without storing a message twice", async () => {
      const actor = await newOrganisation();
      const one = process();
      const two = process();
      await one.mailboxes.connectImap(actor, imapInput());
      await appendToInbox(
        dovecot,
        Array.from({ length: 5 }, (_, i) =>
          deliveredMessage({ messageId: `<both-${i}@example.org>` }),
        ),
      );
      await Promise.all([pollNextMailbox(one.poller), pollNextMailbox(two.poller)]);
      // The lease is released after a poll; both read once more in the same instant.
      await Promise.all([pollNextMailbox(one.poller), pollNextMailbox(two.poller)]);

      expect(await storedIds()).toHaveLength(5);
      expect(new Set(await storedIds()).size).toBe(5);
      expect(await folderCount(DEFAULT_HANDLED_FOLDER)).toBe(5);
    });

    it("refuses a wrong password at connect on the password field, and saves nothing", async () => {
      const actor = await newOrganisation();
      const { mailboxes } = process();
      const refusal = await mailboxes
        .connectImap(actor, imapInput({ password: "not the password" }))
        .catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(AppError);
      expect(refusal).toMatchObject({ code: "VALIDATION_FAILED", field: "password" });
      expect(await mailboxes.list(actor)).toEqual([]);
    });

    it("keeps a failing mailbox's error without its password, and waits longer after each failure", async () => {
      const actor = await newOrganisation();
      const { mailboxes, poller } = process();
      const connection = await mailboxes.connectImap(actor, imapInput());
      const wrong = "a password that was changed";
      await store.db
        .updateTable("mailbox_connections")
        .set({
          secret: await sealSecret(box(), connection.id, actor.orgId, {
            kind: "imap",
            host: dovecot.host,
            port: dovecot.port,
            tls: false,
            username: DOVECOT_USER,
            password: wrong,
          }),
        })
        .where("id", "=", connection.id)
        .execute();

      const waits: number[] = [];
      for (let failure = 1; failure <= 3; failure++) {
        expect(await pollNextMailbox(poller)).toBe(true);
        const row = await store.db
          .selectFrom("mailbox_connections")
          .selectAll()
          .where("id", "=", connection.id)
          .executeTakeFirstOrThrow();
        expect(row.failure_count).toBe(failure);
        expect(row.last_error).toBe("the server refused the user name and password");
        expect(row.last_error).not.toContain(wrong);
        waits.push(Number(row.next_poll_at) - clock.now());
        // Not due again before its wait.
        expect(await pollNextMailbox(poller)).toBe(false);
        clock.set(Number(row.next_poll_at));
      }
      expect(waits).toEqual([1, 2, 3].map((failures) => backoffMs(INTERVAL_MS, failures)));
      expect(waits).toEqual([2 * INTERVAL_MS, 4 * INTERVAL_MS, 8 * INTERVAL_MS]);
      const [listed] = await mailboxes.list(actor);
      expect(listed?.lastError).toBe("the server refused the user name and password");
    });

    it("does not show or change another organisation's mailbox, and lets only managers list", async () => {
      const owner = await newOrganisation();
      const other = await newOrganisation();
      const { mailboxes } = process();
      const connection = await mailboxes.connectImap(owner, imapInput());
      expect(await mailboxes.list(other)).toEqual([]);
      await expect(mailboxes.remove(other, connection.id)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(mailboxes.test(other, connection.id)).rejects.toMatchObject({
        code: "NOT_FOUND",
      });
      await expect(mailboxes.list({ ...owner, mayManage: false })).rejects.toMatchObject({
        code: "FORBIDDEN",
      });
      expect(await mailboxes.test(owner, connection.id)).toEqual({ ok: true });
      await mailboxes.remove(owner, connection.id);
      expect(await mailboxes.list(owner)).toEqual([]);
    });
  },
);
