/**
 * An `ally serve` process killed outright (SIGKILL: no shutdown, no cleanup):
 * - mid-job: killed while its outbox worker waits on the relay with a claimed message, another
 *   process takes the message over once the claim's lease runs out and sends it exactly once
 *   (PostgreSQL, two processes);
 * - mid-booking: killed while bookings are being made, every booking is whole (its request
 *   scheduled, every session's slot held, its invitations queued) or absent (the request still a
 *   draft, no slot, no mail), and a restarted process books what was left (SQLite file and
 *   PostgreSQL).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueMail } from "../../src/mail/outbox.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";
import {
  type AllyProcess,
  api,
  eventually,
  requestInput,
  type SeededBookingOrg,
  seedBookingOrg,
  startAlly,
} from "./ally-process.js";
import { startRelay, type TestRelay } from "./smtp-relay.js";

const databases = await testDatabases();
const postgres = databases.find((d) => d.dialect === "postgres");
const REQUESTS = 10;
const BASE = "/api/v1/interview-requests";

/** A database both the test and a spawned process open: PostgreSQL's, or a SQLite file. */
async function sharedDatabase(
  database: TestDatabase,
): Promise<{ store: Store; url: string; drop(): Promise<void> }> {
  if (database.dialect === "postgres") return database.create();
  const folder = mkdtempSync(join(tmpdir(), "ally-killed-"));
  const url = `sqlite:${join(folder, "ally.db")}`;
  const store = openStore(url);
  await migrateToLatest(store.db, store.dialect);
  return {
    store,
    url,
    async drop() {
      await store.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

describe.skipIf(postgres === undefined)("a process killed mid-job, on PostgreSQL", () => {
  let store: Store;
  let url: string;
  let drop: () => Promise<void>;
  let relay: TestRelay;
  const processes: AllyProcess[] = [];

  beforeAll(async () => {
    if (postgres === undefined) return;
    ({ store, url, drop } = await postgres.create());
    relay = await startRelay();
  }, 60_000);
  afterAll(async () => {
    for (const ally of processes) await ally.stop();
    await relay?.close();
    await drop?.();
  }, 60_000);

  it("lets another process send a message whose sender was killed mid-send, exactly once", async () => {
    await relay.set("stalling");
    const env = { DATABASE_URL: url, SMTP_URL: relay.url };
    const first = await startAlly(env);
    processes.push(first);
    const { messageId } = await enqueueMail(
      store.db,
      {
        organisationId: null,
        kind: "test",
        to: "candidate@example.org",
        subject: "Your interview",
        text: "Hello,\n\nYour interview is booked.\n",
      },
      Date.now(),
      "Ally <ally@ally.test>",
    );
    if (messageId === null) throw new Error("the outbox refused a test message");
    // The first process has claimed the message and is waiting on the relay: kill it there.
    await eventually("the relay to hold the message unanswered", () =>
      relay.stalled.includes(messageId),
    );
    first.child.kill("SIGKILL");
    await first.exited;
    const claimed = await store.db
      .selectFrom("outbox")
      .select(["sent_at", "claimed_until", "attempts"])
      .where("message_id", "=", messageId)
      .executeTakeFirstOrThrow();
    expect(claimed.sent_at).toBeNull();
    expect(claimed.attempts).toBe(1);

    await relay.set("up");
    const second = await startAlly(env);
    processes.push(second);
    // The second process waits out the dead one's lease (a minute), then sends.
    await eventually(
      "the message to be sent by the other process",
      async () =>
        (
          await store.db
            .selectFrom("outbox")
            .select("sent_at")
            .where("message_id", "=", messageId)
            .executeTakeFirstOrThrow()
        ).sent_at !== null,
      150_000,
    );
    expect(relay.accepted).toEqual([messageId]);
    expect(second.alive()).toBe(true);
  }, 240_000);
});

for (const database of databases) {
  describe(`a process killed mid-booking, on ${database.dialect}`, () => {
    let store: Store;
    let url: string;
    let drop: () => Promise<void>;
    let org: SeededBookingOrg;
    let ally: AllyProcess | undefined;

    beforeAll(async () => {
      ({ store, url, drop } = await sharedDatabase(database));
      org = await seedBookingOrg(store);
    }, 60_000);
    afterAll(async () => {
      await ally?.stop();
      await drop?.();
    }, 60_000);

    /** Every booking whole, every request without one untouched. */
    async function checkWholeOrAbsent(ids: string[]) {
      for (const id of ids) {
        const request = await store.db
          .selectFrom("interview_requests")
          .select("status")
          .where("id", "=", id)
          .executeTakeFirstOrThrow();
        const bookings = await store.db
          .selectFrom("bookings")
          .select("id")
          .where("request_id", "=", id)
          .execute();
        const slots = await store.db
          .selectFrom("booked_slots")
          .innerJoin("bookings", "bookings.id", "booked_slots.booking_id")
          .select(["booked_slots.session_name", "booked_slots.active"])
          .where("bookings.request_id", "=", id)
          .execute();
        if (bookings.length === 0) {
          expect(request.status).toBe("draft");
          expect(slots).toEqual([]);
        } else {
          expect(bookings).toHaveLength(1);
          expect(request.status).toBe("scheduled");
          expect(slots.map((s) => `${s.session_name} ${s.active}`).sort()).toEqual([
            "Coding 1",
            "Panel 1",
          ]);
        }
      }
      // Each booking's invitations were queued with it: one per person per session at least.
      const booked = await store.db
        .selectFrom("bookings")
        .select("id")
        .where("organisation_id", "=", org.owner.actor.orgId)
        .execute();
      const mail = await store.db
        .selectFrom("outbox")
        .select("id")
        .where("organisation_id", "=", org.owner.actor.orgId)
        .where("calendar_method", "=", "REQUEST")
        .execute();
      expect(mail.length).toBeGreaterThanOrEqual(booked.length * 2);
      return booked.length;
    }

    it("leaves every booking whole or absent, and a restarted process books the rest", async () => {
      const env = { DATABASE_URL: url };
      ally = await startAlly(env);
      const token = org.owner.apiToken;
      const ids: string[] = [];
      const optionFor = new Map<string, string>();
      for (let i = 0; i < REQUESTS; i++) {
        const created = await api(ally, token, "POST", BASE, requestInput(org));
        expect(created.status, JSON.stringify(created.body)).toBe(201);
        const id = created.body.id as string;
        const options = await api(ally, token, "GET", `${BASE}/${id}/options`);
        const list = options.body.options as Array<{ id: string }>;
        optionFor.set(id, list[(i * 3) % list.length]?.id as string);
        ids.push(id);
      }

      // Book all at once; kill the process as soon as the first booking is committed.
      const running = ally;
      const attempts = ids.map((id, i) =>
        api(running, token, "POST", `${BASE}/${id}/book`, {
          optionId: optionFor.get(id),
          idempotencyKey: `killed-${i}-0001`,
        }).then(
          (answer) => answer.status,
          () => "cut off" as const,
        ),
      );
      for (;;) {
        const any = await store.db.selectFrom("bookings").select("id").executeTakeFirst();
        if (any !== undefined || !running.alive()) break;
        await new Promise((wake) => setTimeout(wake, 5));
      }
      running.child.kill("SIGKILL");
      await running.exited;
      const answers = await Promise.all(attempts);
      for (const answer of answers) expect([200, 409, "cut off"]).toContain(answer);

      const before = await checkWholeOrAbsent(ids);
      expect(before).toBeGreaterThan(0);

      // Restarted, it books what was left, each request once.
      ally = await startAlly(env);
      const restarted = ally;
      for (const [i, id] of ids.entries()) {
        const request = await api(restarted, token, "GET", `${BASE}/${id}`);
        if (request.body.status !== "draft") continue;
        const options = await api(restarted, token, "GET", `${BASE}/${id}/options`);
        const first = (options.body.options as Array<{ id: string }>)[0];
        if (first === undefined) continue;
        const booked = await api(restarted, token, "POST", `${BASE}/${id}/book`, {
          optionId: first.id,
          idempotencyKey: `restarted-${i}-0001`,
        });
        expect(booked.status, JSON.stringify(booked.body)).toBe(200);
      }
      expect(await checkWholeOrAbsent(ids)).toBe(REQUESTS);
    }, 240_000);
  });
}
