/**
 * Erasing a closed organisation, on every database: an organisation met through many features
 * (members, invitations, tokens, jobs, candidates, pools, loop templates, interviewer profiles,
 * interview requests, a booking with an attendee's answer, booking links, a calendar
 * connection with busy time, mail out and in, a webhook mailbox, the assistant's settings,
 * conversation, messages and escalation, scheduled and dead jobs, a privacy request, a person
 * erased from it, audit entries) is closed; once the grace period has passed (a fixed clock)
 * the erasure runs, each module through its own function. Then a scan of every table the live
 * database lists finds no row whose organisation_id is the organisation's, no text naming it
 * but the erasure's own record, and the proof names every module, with counts and no data.
 * The scan knows no table by name: a new table with an organisation_id that no module erases
 * fails here. Another organisation is left exactly as it was.
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrganisationErasureProof } from "../../src/accounts/org-closure.js";
import {
  addEscalation,
  createConversation,
  recordMessage,
  saveSettings,
} from "../../src/assistant/store.js";
import { recordPageView } from "../../src/consent/analytics.js";
import { storeInbound } from "../../src/mail/inbound.js";
import { erasePerson } from "../../src/privacy/erasure.js";
import {
  startPublicRequest,
  verifyPublicRequest,
} from "../../src/privacy/requests/verification.js";
import { saveOrganisationLimits } from "../../src/retention/settings.js";
import type { Store } from "../../src/store/database.js";
import { type TestDatabase, testDatabases } from "../support/databases.js";
import { factories, makeRequest, sendRequest } from "../support/object-factories.js";
import {
  apiTokenFor,
  createOrganisation,
  createWorld,
  META,
  type Organisation,
  T0,
  type World,
} from "../support/web-world.js";

const DAY = 86_400_000;
const EVERY_MODULE = [
  "accounts",
  "assistant",
  "booking",
  "calendar",
  "consent",
  "hiring",
  "jobs",
  "mail",
  "marketing",
  "privacy",
  "retention",
  "secrets",
  "surveys",
  "testimonials",
];

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

/** Every row of every table, by table (the migrations' own bookkeeping left out). */
async function everyRow(store: Store): Promise<Map<string, Array<Record<string, unknown>>>> {
  const out = new Map<string, Array<Record<string, unknown>>>();
  for (const table of await liveTables(store)) {
    if (table.startsWith("kysely_")) continue;
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table)}`.execute(
      store.db,
    );
    out.set(table, rows.rows);
  }
  return out;
}

/** Tables with rows whose organisation_id is `orgId`, with how many. */
async function rowsOf(store: Store, orgId: string): Promise<Record<string, number>> {
  const found: Record<string, number> = {};
  for (const [table, rows] of await everyRow(store)) {
    const mine = rows.filter((row) => row.organisation_id === orgId).length;
    if (mine > 0) found[table] = mine;
  }
  return found;
}

/** `table.column` of every text value that names `orgId`, with the value. */
async function textNaming(store: Store, orgId: string): Promise<Array<[string, string]>> {
  const found: Array<[string, string]> = [];
  for (const [table, rows] of await everyRow(store)) {
    for (const row of rows) {
      for (const [column, value] of Object.entries(row)) {
        if (typeof value === "string" && value.includes(orgId)) {
          found.push([`${table}.${column}`, value]);
        }
      }
    }
  }
  return found;
}

/** Tables the live database has with an organisation_id column (seen through their rows). */
async function tablesWithOrganisationColumn(store: Store): Promise<string[]> {
  if (store.dialect === "sqlite") {
    const tables = await liveTables(store);
    const out: string[] = [];
    for (const table of tables) {
      const columns = await sql<{ name: string }>`
        select name from pragma_table_info(${table})
      `.execute(store.db);
      if (columns.rows.some((c) => c.name === "organisation_id")) out.push(table);
    }
    return out.sort();
  }
  const rows = await sql<{ table_name: string }>`
    select table_name from information_schema.columns
    where table_schema = current_schema() and column_name = 'organisation_id'
  `.execute(store.db);
  return rows.rows.map((r) => r.table_name).sort();
}

const databases = await testDatabases();

describe.each(databases)("erasing a closed organisation on $dialect", (database: TestDatabase) => {
  let world: World;
  let closing: Organisation;
  let other: Organisation;
  let before: Record<string, number>;
  let otherBefore: Record<string, number>;
  let otherRowsBefore: string;
  let proof: OrganisationErasureProof | null;
  /** Names and addresses that were in the organisation: the proof must hold none of them. */
  const personal: string[] = [];

  /** A candidate's access request, filed with the organisation through the emailed code. */
  async function privacyRequest(org: Organisation, email: string) {
    await world.deps.hiring.createCandidate(org.owner.actor, { name: "Asking Person", email });
    const { verificationId } = await startPublicRequest(
      world.deps.privacy,
      { email, kind: "access", jurisdiction: "gdpr" },
      undefined,
    );
    const mail = await world.store.db
      .selectFrom("outbox")
      .select("subject")
      .where("to_address", "=", email)
      .where("kind", "=", "privacy-request-code")
      .executeTakeFirstOrThrow();
    await verifyPublicRequest(
      world.deps.privacy,
      verificationId,
      /(\d{6})/.exec(mail.subject)?.[1] ?? "",
    );
  }

  /** Seeds `org` through many features; returns what it put in that names people. */
  async function seed(org: Organisation, label: string) {
    for (const make of Object.values(factories)) {
      if (make !== null) await make(world, org, org.owner);
    }
    await world.deps.accounts.invite(
      org.owner.actor,
      { email: `pending-${label}@invited.example`, role: "interviewer" },
      META,
    );
    await apiTokenFor(world, org.recruiter, `token of ${label}`);
    // A booked interview, and the interviewer's answer to its invitation.
    const { request, candidateEmail } = await makeRequest(world, org);
    await sendRequest(world, org.owner, request.id);
    const options = await world.deps.booking.options(org.owner.actor, request.id);
    const booked = await world.deps.booking.book(org.owner.actor, request.id, {
      optionId: options.options[0]?.id as string,
      idempotencyKey: `organisation-erasure-${label}`,
    });
    await world.deps.booking.recordReply(org.owner.orgId, {
      bookingId: booked.booking.id,
      sessionIndex: 0,
      email: org.owner.email,
      userId: org.owner.userId,
      partstat: "ACCEPTED",
      sequence: 0,
    });
    // Mail in: the candidate answers the organisation's booking email.
    const sent = await world.store.db
      .selectFrom("outbox")
      .select("message_id")
      .where("organisation_id", "=", org.owner.orgId)
      .where("to_address", "=", candidateEmail)
      .executeTakeFirstOrThrow();
    await storeInbound(
      world.store.db,
      Buffer.from(
        [
          `From: <${candidateEmail}>`,
          "To: ally@ally.test",
          "Subject: Re: your interview",
          `Message-ID: <answer-${label}@candidate.example>`,
          `In-Reply-To: ${sent.message_id}`,
          "Content-Type: text/plain; charset=utf-8",
          "",
          "Thank you, see you then.",
          "",
        ].join("\r\n"),
      ),
      { mailFrom: candidateEmail, rcptTo: ["ally@ally.test"] },
      world.clock.now(),
    );
    // A mailbox the organisation connected, and mail received for it.
    const mailbox = `jobs-${label}@company.example`;
    await world.deps.mailboxes.createWebhook(
      { orgId: org.owner.actor.orgId, mayManage: true },
      { label: "", address: mailbox },
    );
    await storeInbound(
      world.store.db,
      Buffer.from(
        [
          `From: <applicant-${label}@elsewhere.example>`,
          `To: ${mailbox}`,
          "Subject: My application",
          `Message-ID: <application-${label}@elsewhere.example>`,
          "Content-Type: text/plain; charset=utf-8",
          "",
          "Please find my application.",
          "",
        ].join("\r\n"),
      ),
      { mailFrom: `applicant-${label}@elsewhere.example`, rcptTo: [mailbox] },
      world.clock.now(),
    );
    // The assistant: settings, a conversation, a message each way, an escalation.
    const now = world.clock.now();
    await saveSettings(
      world.store.db,
      org.owner.orgId,
      "ally.test",
      { reviewMode: true, followUpsMax: 1 },
      now,
    );
    const conversation = await createConversation(world.store.db, {
      organisation_id: org.owner.orgId,
      request_id: request.id,
      reply_address: `ally+${label}@ally.test`,
      status: "open",
      candidate_email: candidateEmail,
      candidate_name: `Conversing Candidate ${label}`,
      recruiter_user_id: org.recruiter.userId,
      time_zone: "Europe/London",
      created_at: now,
      updated_at: now,
      memory: {
        offered: [],
        awaitingCancelConfirmation: false,
        rescheduleAsked: false,
        subject: "Your interview",
        references: [],
      },
    });
    for (const direction of ["in", "out"] as const) {
      await recordMessage(world.store.db, {
        organisation_id: org.owner.orgId,
        conversation_id: conversation.id,
        direction,
        message_id: `<${direction}-${label}@assistant.example>`,
        party: "candidate",
        address: candidateEmail,
        subject: "Your interview",
        text_body: "Tuesday works.",
        note: "",
        created_at: now,
      });
    }
    await addEscalation(world.store.db, {
      organisation_id: org.owner.orgId,
      conversation_id: conversation.id,
      request_id: request.id,
      message_text: "Can we do it by phone?",
      reading: "{}",
      suggested: null,
      reason: "unsure",
      created_at: now,
    });
    // Privacy: a request filed with the organisation, and a person erased from it.
    await privacyRequest(org, `asking-${label}@person.example`);
    const erasedEmail = `erased-${label}@person.example`;
    await world.deps.hiring.createCandidate(org.owner.actor, {
      name: "Erased Person",
      email: erasedEmail,
    });
    await erasePerson(world.deps.erasure, { email: erasedEmail, orgId: org.owner.orgId });
    // Retention: its own limit, and its share of a purge run.
    await saveOrganisationLimits(world.store.db, org.owner.actor, { closedRequestsMonths: 6 }, now);
    await world.store.db
      .insertInto("retention_runs")
      .values({
        run_id: `rtr_${label}`,
        category: "customer",
        organisation_id: org.owner.orgId,
        ran_at: now,
        removed: 1,
        detail: JSON.stringify({ candidates: 1 }),
        error: null,
      })
      .execute();
    // A member's page views, counted with their analytics consent.
    await recordPageView(world.store.db, {
      path: "/app/jobs",
      visitedAtMs: world.clock.now(),
      userAgent: "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
      referrer: undefined,
      ownHost: "ally.test",
      ip: "203.0.113.9",
      visitorId: `v_organisationerasure${label}`,
      userId: org.recruiter.userId,
      organisationId: org.owner.orgId,
    });
    return [candidateEmail, org.owner.email, org.owner.name, org.recruiter.email, mailbox];
  }

  beforeAll(async () => {
    world = await createWorld(database);
    closing = await createOrganisation(world, "Closing Widgets Ltd");
    other = await createOrganisation(world, "Staying Gadgets Ltd");
    personal.push(...(await seed(closing, "closing")));
    await seed(other, "other");
    before = await rowsOf(world.store, closing.owner.orgId);
    otherBefore = await rowsOf(world.store, other.owner.orgId);

    await world.deps.accounts.closeOrganisation(closing.owner.actor, META);
    world.clock.set(T0 + 30 * DAY - 1);
    const early = await world.deps.accounts.eraseOrganisationAfterClosing(closing.owner.orgId);
    expect(early).toBeNull();
    otherRowsBefore = JSON.stringify(
      [...(await everyRow(world.store))].map(([table, rows]) => [
        table,
        rows.filter((row) => row.organisation_id === other.owner.orgId),
      ]),
    );
    world.clock.set(T0 + 30 * DAY);
    proof = await world.deps.accounts.eraseOrganisationAfterClosing(closing.owner.orgId);
  }, 180_000);

  afterAll(async () => {
    await world?.drop();
  });

  it("had the organisation in every kind of table before (the scan sees what it looks for)", () => {
    for (const table of [
      "memberships",
      "invitations",
      "api_tokens",
      "sessions",
      "jobs",
      "candidates",
      "pools",
      "pool_members",
      "loop_templates",
      "interview_requests",
      "request_events",
      "bookings",
      "booked_slots",
      "attendee_responses",
      "booking_links",
      "calendar_connections",
      "outbox",
      "mailbox_connections",
      "assistant_settings",
      "assistant_conversations",
      "assistant_messages",
      "assistant_escalations",
      "survey_invitations",
      "survey_interviewers",
      "scheduled_jobs",
      "privacy_requests",
      "erasure_tombstones",
      "erasure_proofs",
      "audit_log",
      "retention_settings",
      "retention_runs",
      "testimonials",
      "testimonial_steps",
      "testimonial_links",
    ]) {
      expect(before[table] ?? 0, table).toBeGreaterThan(0);
    }
  });

  it("leaves no row with the organisation's id in any table of the live database", async () => {
    expect(proof).not.toBeNull();
    expect(await rowsOf(world.store, closing.owner.orgId)).toEqual({});
  });

  it("leaves no text naming the organisation but the erasure's own record and job", async () => {
    const left = await textNaming(world.store, closing.owner.orgId);
    const places = [...new Set(left.map(([place]) => place))].sort();
    // The audit entry holding the proof, and the finished erase job (neither owned by it).
    expect(places).toEqual(["audit_log.target", "scheduled_jobs.key", "scheduled_jobs.payload"]);
    const audit = left.filter(([place]) => place === "audit_log.target").map(([, v]) => v);
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatch(/^organisation \S+ erased after closing: assistant \(.*; accounts \(/);
  });

  it("removed received mail that answered it or was sent to its mailboxes", async () => {
    const inbound = await world.store.db.selectFrom("inbound_mail").select("message_id").execute();
    const ids = inbound.map((m) => m.message_id);
    expect(ids).not.toContain("<answer-closing@candidate.example>");
    expect(ids).not.toContain("<application-closing@elsewhere.example>");
    expect(ids).toContain("<answer-other@candidate.example>");
    expect(ids).toContain("<application-other@elsewhere.example>");
  });

  it("has a proof naming every module, with the rows each removed, and no personal data", () => {
    if (proof === null) throw new Error("no proof");
    expect(Object.keys(proof.modules).sort()).toEqual(EVERY_MODULE);
    expect(proof.organisationId).toBe(closing.owner.orgId);
    expect(proof.erasedAt).toBe(new Date(T0 + 30 * DAY).toISOString());
    const removed: Record<string, number> = {};
    for (const part of Object.values(proof.modules)) Object.assign(removed, part.tables);
    // Every row the organisation owned, by table, is accounted for in the proof.
    for (const [table, count] of Object.entries(before)) {
      expect(removed[table], table).toBeGreaterThanOrEqual(count);
    }
    expect(removed.organisations).toBe(1);
    // Its one calendar is an ICS feed: there is no grant to revoke, but the step ran.
    expect(proof.modules.calendar?.grantsRevoked).toBe(0);
    expect(removed.inbound_mail).toBe(2);
    // Each member belonged to nothing else: every account is closed with it.
    expect(proof.modules.accounts?.kept?.["users (closed, anonymised)"]).toBe(before.memberships);
    const text = JSON.stringify(proof).toLowerCase();
    for (const value of personal) expect(text).not.toContain(value.toLowerCase());
  });

  it("names in the proof every table with an organisation_id (a new one must be erased too)", async () => {
    if (proof === null) throw new Error("no proof");
    const named = new Set(Object.values(proof.modules).flatMap((m) => Object.keys(m.tables)));
    const missing = (await tablesWithOrganisationColumn(world.store)).filter((t) => !named.has(t));
    expect(missing, "erase these in their module's organisation-erasure.ts").toEqual([]);
  });

  it("closes the accounts of members who belonged to nothing else", async () => {
    await expect(
      world.deps.accounts.signIn(
        { email: closing.recruiter.email, password: closing.recruiter.password },
        META,
      ),
    ).rejects.toMatchObject({ code: "INVALID_CREDENTIALS" });
  });

  it("leaves the other organisation exactly as it was", async () => {
    expect(await rowsOf(world.store, other.owner.orgId)).toEqual(otherBefore);
    const after = JSON.stringify(
      [...(await everyRow(world.store))].map(([table, rows]) => [
        table,
        rows.filter((row) => row.organisation_id === other.owner.orgId),
      ]),
    );
    expect(after).toEqual(otherRowsBefore);
  });

  it("does nothing the second time (the job may run again)", async () => {
    expect(await world.deps.accounts.eraseOrganisationAfterClosing(closing.owner.orgId)).toBeNull();
  });
});
