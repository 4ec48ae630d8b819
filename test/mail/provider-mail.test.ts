/**
 * Gmail and Microsoft 365 mailboxes against local servers speaking the documented shapes, on
 * every database: the first read only records where new mail starts; later reads store each new
 * INBOX message once (Gmail users.history.list then messages.get format=raw; Graph's INBOX delta
 * then /$value), carry the access token, skip removed items, and start again from "now" when the
 * provider has forgotten the cursor (Gmail 404, Graph 410).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { type Envelope, storeInbound } from "../../src/mail/inbound.js";
import { type PollerDeps, pollNextMailbox } from "../../src/mail/mailboxes/poller.js";
import {
  gmailReader,
  graphReader,
  type ProviderMailDeps,
} from "../../src/mail/mailboxes/provider-mail.js";
import { sealSecret } from "../../src/mail/mailboxes/secret.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import type { Store } from "../../src/store/database.js";
import { FakeProvider } from "../calendar/connectors/fake-providers.js";
import { testDatabases } from "../support/databases.js";

// Tue 1 Dec 2026, 09:00 UTC
const NOW = Date.UTC(2026, 11, 1, 9, 0);
const INTERVAL_MS = 60_000;
const TOKEN = "ya29.test-access-token";

const rfc822 = (messageId: string) =>
  `Return-Path: <dana@example.org>\r\nFrom: dana@example.org\r\nSubject: Re: interview\r\nMessage-ID: ${messageId}\r\n\r\nTuesday works.\r\n`;

describe.each(await testDatabases())("Gmail and Microsoft 365 mail on $dialect", (database) => {
  let store: Store;
  let drop: () => Promise<void>;
  let fake: FakeProvider;
  const clock = fixedClock(NOW);

  beforeAll(async () => {
    const created = await database.create();
    store = created.store;
    drop = created.drop;
    await store.db
      .insertInto("organisations")
      .values({ id: "org_mail", name: "Acme", created_at: NOW })
      .execute();
  });
  afterAll(async () => {
    await drop?.();
  });
  beforeEach(async () => {
    clock.set(NOW);
    fake = await FakeProvider.start();
    await store.db.deleteFrom("inbound_mail").execute();
    await store.db.deleteFrom("mailbox_connections").execute();
  });
  afterEach(async () => {
    expect(fake.unexpected).toEqual([]);
    await fake.close();
  });

  const box = () =>
    createSecretStore({ db: store.db, keyring: singleKeyring(Buffer.alloc(32, 3)) });

  async function connection(kind: "gmail" | "microsoft"): Promise<string> {
    const id = `mbx_${kind}`;
    await store.db
      .insertInto("mailbox_connections")
      .values({
        id,
        organisation_id: "org_mail",
        kind,
        label: kind,
        address: "hiring@acme.example",
        secret: await sealSecret(box(), id, "org_mail", { kind, calendarConnectionId: "cal_1" }),
        handled_folder: null,
        uidvalidity: null,
        last_uid: null,
        cursor: null,
        last_polled_at: null,
        last_error: null,
        failure_count: 0,
        next_poll_at: null,
        claimed_until: null,
        created_at: NOW,
      })
      .execute();
    return id;
  }

  function poller(): PollerDeps {
    const mail: ProviderMailDeps = {
      accessToken: async () => TOKEN,
      fetch,
      endpoints: { gmailBaseUrl: `${fake.baseUrl}/gmail/v1`, graphBaseUrl: `${fake.baseUrl}/v1.0` },
      maxBytes: 1024 * 1024,
    };
    return {
      db: store.db,
      clock,
      box: box(),
      resolveHost: async (host) => host,
      intervalMs: INTERVAL_MS,
      maxBytes: 1024 * 1024,
      store: (raw: Buffer, envelope: Envelope) =>
        storeInbound(store.db, raw, envelope, clock.now()),
      readers: { gmail: gmailReader(mail), microsoft: graphReader(mail) },
    };
  }

  async function pollOnce(deps: PollerDeps): Promise<void> {
    expect(await pollNextMailbox(deps)).toBe(true);
    clock.advance(INTERVAL_MS);
  }

  const storedIds = async () =>
    (await store.db.selectFrom("inbound_mail").select("message_id").orderBy("id").execute()).map(
      (row) => row.message_id,
    );
  const cursorOf = async (id: string) =>
    (
      await store.db
        .selectFrom("mailbox_connections")
        .select(["cursor", "last_error"])
        .where("id", "=", id)
        .executeTakeFirstOrThrow()
    ).cursor;

  it("reads Gmail: the profile's historyId first, then what the history added to the INBOX, whole", async () => {
    const id = await connection("gmail");
    fake.on("GET", "/gmail/v1/users/me/profile", {
      body: { emailAddress: "hiring@acme.example", historyId: "1000" },
    });
    fake.on("GET", "/gmail/v1/users/me/history", [
      {
        body: {
          history: [
            { messagesAdded: [{ message: { id: "m1", labelIds: ["INBOX", "UNREAD"] } }] },
            { messagesAdded: [{ message: { id: "sent1", labelIds: ["SENT"] } }] },
          ],
          historyId: "1010",
          nextPageToken: "p2",
        },
      },
      {
        body: {
          history: [{ messagesAdded: [{ message: { id: "m2", labelIds: ["INBOX"] } }] }],
          historyId: "1020",
        },
      },
      { body: { historyId: "1020" } },
    ]);
    fake.on("GET", "/gmail/v1/users/me/messages/m1", {
      body: { id: "m1", raw: Buffer.from(rfc822("<g1@example.org>")).toString("base64url") },
    });
    fake.on("GET", "/gmail/v1/users/me/messages/m2", {
      body: { id: "m2", raw: Buffer.from(rfc822("<g2@example.org>")).toString("base64url") },
    });
    const deps = poller();
    await pollOnce(deps);
    expect(await cursorOf(id)).toBe("1000");
    expect(await storedIds()).toEqual([]);

    await pollOnce(deps);
    expect(await storedIds()).toEqual(["<g1@example.org>", "<g2@example.org>"]);
    expect(await cursorOf(id)).toBe("1020");
    const [first, second] = fake.calls("GET", "/gmail/v1/users/me/history");
    expect(first?.query.get("startHistoryId")).toBe("1000");
    expect(first?.query.get("historyTypes")).toBe("messageAdded");
    expect(second?.query.get("pageToken")).toBe("p2");
    expect(fake.calls("GET", "/gmail/v1/users/me/messages/m1")[0]?.query.get("format")).toBe("raw");
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
    expect(fake.calls("GET", "/gmail/v1/users/me/messages/sent1")).toEqual([]);

    await pollOnce(deps);
    expect(await storedIds()).toHaveLength(2);
  });

  it("starts Gmail again from the current historyId when the stored one is too old (404)", async () => {
    const id = await connection("gmail");
    await store.db
      .updateTable("mailbox_connections")
      .set({ cursor: "5" })
      .where("id", "=", id)
      .execute();
    fake.on("GET", "/gmail/v1/users/me/history", { status: 404, body: { error: { code: 404 } } });
    fake.on("GET", "/gmail/v1/users/me/profile", { body: { historyId: "9000" } });
    await pollOnce(poller());
    expect(await cursorOf(id)).toBe("9000");
  });

  it("reads Microsoft 365: the INBOX delta to its delta link first, then each new message's MIME once", async () => {
    const id = await connection("microsoft");
    const deltaLink = `${fake.baseUrl}/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=t1`;
    fake.on("GET", "/v1.0/me/mailFolders/inbox/messages/delta", (request) =>
      request.query.get("$deltatoken") === null
        ? request.query.get("$skiptoken") === null
          ? {
              body: {
                value: [{ id: "old1" }],
                "@odata.nextLink": `${fake.baseUrl}/v1.0/me/mailFolders/inbox/messages/delta?$skiptoken=s1`,
              },
            }
          : { body: { value: [{ id: "old2" }], "@odata.deltaLink": deltaLink } }
        : {
            body: {
              value: [
                { id: "n1" },
                { id: "gone", "@removed": { reason: "deleted" } },
                { id: "n1" },
              ],
              "@odata.deltaLink": `${fake.baseUrl}/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=t2`,
            },
          },
    );
    fake.on("GET", "/v1.0/me/messages/n1/$value", { body: rfc822("<o1@example.org>") });
    const deps = poller();
    await pollOnce(deps);
    expect(await cursorOf(id)).toBe(deltaLink);
    expect(await storedIds()).toEqual([]);

    await pollOnce(deps);
    expect(await storedIds()).toEqual(["<o1@example.org>"]);
    expect(await cursorOf(id)).toContain("$deltatoken=t2");
    expect(fake.calls("GET", "/v1.0/me/messages/gone/$value")).toEqual([]);
  });

  it("starts Microsoft 365 again from a fresh delta when Graph has forgotten the link (410)", async () => {
    const id = await connection("microsoft");
    const stale = `${fake.baseUrl}/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=stale`;
    await store.db
      .updateTable("mailbox_connections")
      .set({ cursor: stale })
      .where("id", "=", id)
      .execute();
    fake.on("GET", "/v1.0/me/mailFolders/inbox/messages/delta", (request) =>
      request.query.get("$deltatoken") === "stale"
        ? { status: 410, body: { error: { code: "SyncStateNotFound" } } }
        : {
            body: {
              value: [{ id: "old" }],
              "@odata.deltaLink": `${fake.baseUrl}/v1.0/me/mailFolders/inbox/messages/delta?$deltatoken=fresh`,
            },
          },
    );
    await pollOnce(poller());
    expect(await cursorOf(id)).toContain("$deltatoken=fresh");
    expect(await storedIds()).toEqual([]);
  });

  it("keeps a provider's refusal as the last error, without the token", async () => {
    const id = await connection("gmail");
    await store.db
      .updateTable("mailbox_connections")
      .set({ cursor: "1" })
      .where("id", "=", id)
      .execute();
    fake.on("GET", "/gmail/v1/users/me/history", { status: 401, body: { error: { code: 401 } } });
    await pollOnce(poller());
    const row = await store.db
      .selectFrom("mailbox_connections")
      .selectAll()
      .where("id", "=", id)
      .executeTakeFirstOrThrow();
    expect(row.last_error).toContain("HTTP 401");
    expect(row.last_error).not.toContain(TOKEN);
    expect(row.failure_count).toBe(1);
  });
});
