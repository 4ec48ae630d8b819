/**
 * Erasure completeness: a person met through every feature (an account in one organisation, a
 * candidate on requests in two, a booking, mail both ways through the outbox folder, a calendar
 * connection, audit entries, request timelines) is erased; then every column of every table
 * the live database lists, and every file of the outbox folder, is scanned for their email,
 * name and phone. The scan knows no table by name: a new table that keeps them fails here.
 */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildDeps } from "../../src/app/compose.js";
import { addEscalation, createConversation, recordMessage } from "../../src/assistant/store.js";
import { fixedClock } from "../../src/clock.js";
import { storeInbound } from "../../src/mail/inbound.js";
import { folderTransport, sendNext } from "../../src/mail/outbox-worker.js";
import { erasePerson, readErasureProof } from "../../src/privacy/erasure.js";
import type { Store } from "../../src/store/database.js";
import { sharedFeedUrl } from "../support/calendar-feed.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";
import { appError } from "../support/failures.js";
import {
  createOrganisation,
  linkTokenFromMail,
  MASTER_KEY,
  META,
  type Organisation,
  T0,
  testConfig,
  type World,
} from "../support/web-world.js";

// The person to be erased. Their phone is theirs alone in this world.
const PAT = {
  name: "Patricia Erasable",
  email: "patricia.erasable@home.example",
  phone: "+44 7700 900461",
};
const TRACES = [PAT.email, PAT.name, PAT.phone].map((s) => s.toLowerCase());

/** Every table of the live database (not a hand-kept list). */
async function liveTables(store: Store): Promise<string[]> {
  if (store.dialect === "sqlite") {
    const rows = await sql<{ name: string }>`
      select name from sqlite_master where type = 'table' and name not like 'sqlite_%'
    `.execute(store.db);
    return rows.rows.map((r) => r.name);
  }
  const rows = await sql<{ table_name: string }>`
    select table_name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'
  `.execute(store.db);
  return rows.rows.map((r) => r.table_name);
}

/** `table.column` of every value that holds a trace of the person. */
async function tracesInDatabase(store: Store): Promise<string[]> {
  const found: string[] = [];
  for (const table of await liveTables(store)) {
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      store.db,
    );
    for (const row of rows.rows) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const text = (
          Buffer.isBuffer(value) ? value.toString("utf8") : String(value)
        ).toLowerCase();
        for (const trace of TRACES) {
          if (text.includes(trace)) found.push(`${table}.${column} holds "${trace}"`);
        }
      }
    }
  }
  return found;
}

async function tracesInFolder(directory: string): Promise<string[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names) {
    const text = (await readFile(join(directory, name), "utf8")).toLowerCase();
    for (const trace of TRACES) if (text.includes(trace)) found.push(`${name} holds "${trace}"`);
  }
  return found;
}

function replyFromPat(n: number): Buffer {
  return Buffer.from(
    [
      `From: ${PAT.name} <${PAT.email}>`,
      "To: ally@ally.test",
      `Subject: Re: your interview (${PAT.name})`,
      `Message-ID: <pat-reply-${n}@home.example>`,
      "Content-Type: text/plain; charset=utf-8",
      "",
      `Tuesday works. Call me on ${PAT.phone}. ${PAT.name}`,
      "",
    ].join("\r\n"),
  );
}

const databases = await testDatabases();

describe.each(databases)("erasure completeness on $dialect", (database: TestDatabase) => {
  let world: World;
  let outboxDir: string;
  let orgA: Organisation;
  let orgB: Organisation;
  let patUserId: string;
  let bookedRequestId: string;
  let connectionId: string;

  /** Sends every queued email through the folder transport, as the outbox worker does. */
  async function deliverOutbox() {
    const transport = folderTransport(outboxDir);
    const deps = { db: world.store.db, clock: world.clock, transport, from: "ally@ally.test" };
    while (await sendNext(deps)) {
      // one message per turn
    }
  }

  async function candidateOnRequests(org: Organisation, count: number): Promise<string[]> {
    const candidate = await world.deps.hiring.createCandidate(org.owner.actor, {
      name: PAT.name,
      email: PAT.email,
      phone: PAT.phone,
      timeZone: "Europe/London",
      notes: `Referred by a friend; prefers calls on ${PAT.phone}`,
    });
    const job = await world.deps.hiring.createJob(org.owner.actor, {
      title: "Platform engineer",
      department: null,
      location: null,
      description: null,
    });
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) {
      const request = await world.deps.booking.createRequest(org.owner.actor, {
        candidateId: candidate.id,
        jobId: job.id,
        sessions: [{ name: "Screen", durationMinutes: 60, interviewerIds: [org.owner.userId] }],
        // Wed 2 Dec 2026 00:00 UTC to Sat 5 Dec 2026 00:00 UTC
        windowStart: "2026-12-02T00:00:00Z",
        windowEnd: "2026-12-05T00:00:00Z",
        videoLink: "https://meet.example.com/screen",
        notes: `Ask ${PAT.name} about the notice period`,
      });
      await world.deps.booking.sendToCandidate(org.owner.actor, request.id);
      ids.push(request.id);
    }
    return ids;
  }

  async function assistantConversations(orgId: string, requestId: string) {
    const conversation = (email: string, name: string, request: string | null, n: number) =>
      createConversation(world.store.db, {
        organisation_id: orgId,
        request_id: request,
        reply_address: `ally+erasure${n}@ally.test`,
        status: "open",
        candidate_email: email,
        candidate_name: name,
        recruiter_user_id: orgA.owner.userId,
        time_zone: "Europe/London",
        memory: {
          offered: [],
          awaitingCancelConfirmation: false,
          rescheduleAsked: false,
          subject: `Your interview, ${name}`,
          references: [`<start-${n}@ally.test>`],
        },
        created_at: T0,
        updated_at: T0,
      });
    const message = (conversationId: string, n: number, address: string, text: string) =>
      recordMessage(world.store.db, {
        organisation_id: orgId,
        conversation_id: conversationId,
        direction: "in",
        message_id: `<erasure-${n}@home.example>`,
        party: "candidate",
        address,
        subject: `Re: interview (${PAT.name})`,
        text_body: text,
        note: "accept",
        created_at: T0,
      });
    const pats = await conversation(PAT.email.toUpperCase(), PAT.name, requestId, 1);
    await message(pats.id, 1, PAT.email, `Tuesday works. Call me on ${PAT.phone}.`);
    await addEscalation(world.store.db, {
      organisation_id: orgId,
      conversation_id: pats.id,
      request_id: requestId,
      message_text: `Tuesday works. ${PAT.name}`,
      reading: JSON.stringify({ intent: "accept" }),
      suggested: null,
      reason: "low confidence",
      created_at: T0,
    });
    const other = await conversation("quinn.other@home.example", "Quinn Other", null, 2);
    await message(other.id, 2, "interviewer@acme.test", `${PAT.name} will join the panel.`);
    return other.id;
  }

  beforeAll(async () => {
    outboxDir = await mkdtemp(join(tmpdir(), "ally-erasure-"));
    const { store, url, drop } = await database.create();
    const clock = fixedClock(T0);
    const config = testConfig({ DATABASE_URL: url, DATA_DIR: outboxDir });
    outboxDir = join(outboxDir, "outbox");
    const deps = buildDeps(config, store, clock, MASTER_KEY);
    world = { store, url, clock, config, deps, ally: undefined as never, drop };
    orgA = await createOrganisation(world);
    orgB = await createOrganisation(world);

    // An account: invited into organisation A as an interviewer (an invitation email, audit
    // entries naming the address), with a calendar connection.
    await world.deps.accounts.invite(
      orgA.owner.actor,
      { email: PAT.email, role: "interviewer" },
      META,
    );
    const token = await linkTokenFromMail(world, PAT.email, "invitation");
    const session = await world.deps.accounts.acceptInvitation(
      {
        token,
        name: PAT.name,
        phone: PAT.phone,
        postalAddress: "1 Erasure Lane",
        password: "pat's long password",
      },
      META,
    );
    const me = await world.deps.accounts.session(session.token);
    if (me === undefined) throw new Error("Pat has no session");
    patUserId = me.actor.userId;
    const connection = await world.deps.calendars.connect(me.actor, {
      provider: "ics-feed",
      url: await sharedFeedUrl(),
    });
    connectionId = connection.id;

    // A candidate in both organisations: two requests in A, one in B; one of A's booked.
    const [first] = await candidateOnRequests(orgA, 2);
    await candidateOnRequests(orgB, 1);
    bookedRequestId = first as string;
    const options = await world.deps.booking.options(orgA.owner.actor, bookedRequestId);
    const booked = await world.deps.booking.book(orgA.owner.actor, bookedRequestId, {
      optionId: options.options[0]?.id as string,
      idempotencyKey: "erasure-booking-1",
    });
    const bookingId = booked.booking.id;
    // Their answer to the invitation, and a note to the recruiter on the request's timeline
    // naming them (as the calendar-reply handler writes one).
    await world.deps.booking.recordReply(orgA.owner.orgId, {
      bookingId,
      sessionIndex: 0,
      email: PAT.email,
      userId: null,
      partstat: "ACCEPTED",
      sequence: 0,
    });
    await world.deps.booking.tellRecruiter(orgA.owner.orgId, bookedRequestId, {
      kind: "calendar-reply-unverified",
      subject: `Please check: an unconfirmed answer for Screen with ${PAT.name}`,
      paragraphs: [
        `Ally received a calendar answer saying that ${PAT.name} (${PAT.email}) accepted.`,
      ],
      detail: { bookingId, session: "Screen", sessionIndex: 0, email: PAT.email },
    });

    // Ally by email: a conversation that arranges their interview (their reply, Ally's
    // answer, an escalation), and another candidate's conversation whose interviewer reply
    // names them.
    await assistantConversations(orgA.owner.orgId, bookedRequestId);

    // Mail in (their reply) and out (every email above, written to the outbox folder).
    const stored = await storeInbound(
      world.store.db,
      replyFromPat(1),
      { mailFrom: PAT.email, rcptTo: ["ally@ally.test"] },
      world.clock.now(),
      { tombstones: world.deps.tombstones },
    );
    expect(stored.stored).toBe(true);
    await deliverOutbox();
  }, 120_000);

  afterAll(async () => {
    await world?.drop();
    await rm(join(outboxDir, ".."), { recursive: true, force: true });
  });

  it("finds the person everywhere before the erasure (the scan sees what it looks for)", async () => {
    const inDatabase = await tracesInDatabase(world.store);
    const tables = new Set(inDatabase.map((line) => line.split(".")[0]));
    for (const table of [
      "users",
      "candidates",
      "outbox",
      "inbound_mail",
      "invitations",
      "audit_log",
      "assistant_conversations",
      "assistant_messages",
      "assistant_escalations",
    ]) {
      expect(tables, `expected traces in ${table}`).toContain(table);
    }
    expect((await tracesInFolder(outboxDir)).length).toBeGreaterThan(0);
  });

  it("leaves no trace of their email, name or phone in any column of any table, nor in the outbox folder", async () => {
    world.clock.set(T0 + 3_600_000);
    const proof = await erasePerson(world.deps.erasure, { email: ` ${PAT.email.toUpperCase()} ` });

    expect(await tracesInDatabase(world.store)).toEqual([]);
    expect(await tracesInFolder(outboxDir)).toEqual([]);

    // The proof says what went where, and is kept; it holds counts, not data.
    expect(proof.tables.users).toEqual({ deleted: 1, anonymised: 0 });
    expect(proof.tables.candidates).toEqual({ deleted: 0, anonymised: 2 });
    expect(proof.tables.calendar_connections).toEqual({ deleted: 1, anonymised: 0 });
    expect(proof.tables.inbound_mail?.deleted).toBe(1);
    expect(proof.tables.outbox?.deleted).toBeGreaterThan(0);
    expect(proof.tables.request_events?.anonymised).toBeGreaterThan(0);
    expect(proof.tables.attendee_responses).toEqual({ deleted: 1, anonymised: 0 });
    expect(proof.files).toBeGreaterThan(0);
    // Their own conversation goes whole; another candidate's only loses their name.
    expect(proof.tables.assistant_conversations).toEqual({ deleted: 1, anonymised: 0 });
    expect(proof.tables.assistant_escalations).toEqual({ deleted: 1, anonymised: 0 });
    expect(proof.tables.assistant_messages).toEqual({ deleted: 1, anonymised: 1 });
    const kept = await world.store.db
      .selectFrom("assistant_messages")
      .select(["subject", "text_body"])
      .execute();
    expect(kept).toEqual([
      { subject: "Re: interview ([erased])", text_body: "[erased] will join the panel." },
    ]);
    expect(await readErasureProof(world.store.db, proof.id)).toEqual(proof);
    expect(await readErasureProof(world.store.db, proof.id, orgA.owner.orgId)).toBeUndefined();
  });

  it("keeps the booked interview for the customer, with 'a candidate' in place of the person", async () => {
    const request = await world.deps.booking.getRequest(orgA.owner.actor, bookedRequestId);
    expect(request.status).toBe("scheduled");
    const candidate = await world.deps.hiring.getCandidate(orgA.owner.actor, request.candidateId);
    expect(candidate).toMatchObject({ name: "a candidate", email: "", phone: null, notes: null });
    const bookings = await world.store.db
      .selectFrom("bookings")
      .select("status")
      .where("request_id", "=", bookedRequestId)
      .execute();
    expect(bookings).toEqual([{ status: "active" }]);
  });

  it("their account, sessions and calendar are gone, and the calendar cannot be synced back", async () => {
    const users = await world.store.db
      .selectFrom("users")
      .select("id")
      .where("id", "=", patUserId)
      .execute();
    expect(users).toEqual([]);
    expect((await appError(world.deps.calendars.syncConnection(connectionId))).code).toBe(
      "NOT_FOUND",
    );
  });

  it("refuses their later email and a new candidate with their address, and logs it without the address", async () => {
    const again = await storeInbound(
      world.store.db,
      replyFromPat(2),
      { mailFrom: PAT.email, rcptTo: ["ally@ally.test"] },
      world.clock.now(),
      { tombstones: world.deps.tombstones },
    );
    expect(again).toMatchObject({ stored: false, refused: true });
    const imported = await appError(
      world.deps.hiring.createCandidate(orgB.recruiter.actor, {
        name: PAT.name,
        email: PAT.email.toUpperCase(),
        phone: null,
        timeZone: null,
        notes: null,
      }),
    );
    expect(imported.code).toBe("PERSON_ERASED");
    const refusals = await world.store.db
      .selectFrom("audit_log")
      .select(["organisation_id", "target"])
      .where("action", "=", "recontact-refused")
      .orderBy("id")
      .execute();
    expect(refusals).toEqual([
      { organisation_id: null, target: "inbound-mail" },
      { organisation_id: orgB.owner.orgId, target: "candidate-create" },
    ]);
    expect(await tracesInDatabase(world.store)).toEqual([]);
  });

  it("a tombstone is a keyed hash: the tombstone table holds no address, and another address is not refused", async () => {
    const rows = await world.store.db.selectFrom("erasure_tombstones").selectAll().execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]?.email_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await world.deps.tombstones.isErased(world.store.db, "someone.else@home.example")).toBe(
      false,
    );
    expect(await world.deps.tombstones.isErased(world.store.db, PAT.email)).toBe(true);
  });
});
