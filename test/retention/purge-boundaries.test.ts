/**
 * Every retention category is purged at its limit and not one millisecond before, on every
 * database, through the one daily purge (retention/purge-job.ts) over every module's purge.
 * Each case seeds one row whose clock reads `AT`, runs the purge one millisecond before the row
 * is due (it stays), then at the instant it is due (it goes).
 */
import { sql } from "kysely";
import { Temporal } from "temporal-polyfill";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runRetentionPurge } from "../../src/retention/purge-job.js";
import type { RETENTION_RULES } from "../../src/retention/rules.js";
import { testDatabases } from "../support/databases.js";
import { makeRequest } from "../support/object-factories.js";
import {
  createOrganisation,
  createWorld,
  type Organisation,
  type World,
} from "../support/web-world.js";

// Sat 15 Mar 2025, 10:00 UTC: mid-month, so a calendar span back from its due date lands on it.
const AT = Date.UTC(2025, 2, 15, 10, 0);
const at = Temporal.Instant.fromEpochMilliseconds(AT);
const plus = (span: { years?: number; months?: number; days?: number }) =>
  at.toZonedDateTimeISO("UTC").add(span).epochMilliseconds;

interface Case {
  category: keyof typeof RETENTION_RULES;
  what: string;
  /** Inserts one row whose clock reads AT, marked `marker`. */
  seed(world: World, org: Organisation, marker: string): Promise<void>;
  /** How many rows marked `marker` are left. */
  count(world: World, marker: string): Promise<number>;
  /** When the row is due. */
  dueAt: number;
}

const n = (rows: { n: unknown }[]) => Number(rows[0]?.n ?? 0);
const countWhere = (table: string, column: string) => async (world: World, marker: string) =>
  n(
    (
      await sql<{
        n: unknown;
      }>`select count(*) as n from ${sql.table(table)} where ${sql.ref(column)} = ${marker}`.execute(
        world.store.db,
      )
    ).rows,
  );

const cases: Case[] = [
  {
    category: "session",
    what: "a session, when it expires",
    dueAt: AT,
    async seed(world, org, marker) {
      await world.store.db
        .insertInto("sessions")
        .values({
          id_hash: marker,
          user_id: org.owner.userId,
          organisation_id: org.owner.orgId,
          csrf_token: "csrf",
          pending_second_factor: 0,
          created_at: AT - 3_600_000,
          expires_at: AT,
          ip: "203.0.113.0",
          user_agent: "test",
        })
        .execute();
    },
    count: countWhere("sessions", "id_hash"),
  },
  {
    category: "token",
    what: "an email token, when it expires",
    dueAt: AT,
    async seed(world, org, marker) {
      await world.store.db
        .insertInto("email_tokens")
        .values({
          token_hash: marker,
          user_id: org.owner.userId,
          purpose: "reset-password",
          expires_at: AT,
          used_at: null,
        })
        .execute();
    },
    count: countWhere("email_tokens", "token_hash"),
  },
  {
    category: "token",
    what: "an invitation, when it expires",
    dueAt: AT,
    async seed(world, org, marker) {
      await world.store.db
        .insertInto("invitations")
        .values({
          id: marker,
          organisation_id: org.owner.orgId,
          email: "invited@example.com",
          role: "recruiter",
          token_hash: marker,
          invited_by: org.owner.userId,
          created_at: AT - 86_400_000,
          expires_at: AT,
          accepted_at: null,
        })
        .execute();
    },
    count: countWhere("invitations", "id"),
  },
  {
    category: "token",
    what: "a candidate's booking link, when it expires",
    dueAt: AT,
    async seed(world, org, marker) {
      const { request } = await makeRequest(world, org);
      await world.store.db
        .insertInto("booking_links")
        .values({
          id: marker,
          organisation_id: org.owner.orgId,
          request_id: request.id,
          token_hash: marker,
          expires_at: AT,
          revoked_at: null,
          created_at: AT - 86_400_000,
        })
        .execute();
    },
    count: countWhere("booking_links", "id"),
  },
  {
    category: "token",
    what: "a calendar connection's OAuth state, when it expires",
    dueAt: AT,
    async seed(world, org, marker) {
      await world.store.db
        .insertInto("oauth_states")
        .values({
          id: marker,
          state_hash: marker,
          organisation_id: org.owner.orgId,
          user_id: org.owner.userId,
          provider: "google",
          code_verifier: "sealed",
          created_at: AT - 600_000,
          expires_at: AT,
        })
        .execute();
    },
    count: countWhere("oauth_states", "id"),
  },
  {
    category: "token",
    what: "an access package's link, when it expires",
    dueAt: AT,
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("privacy_requests")
        .values(privacyRequest(marker, { status: "open", completed_at: null }))
        .execute();
      await world.store.db
        .insertInto("privacy_exports")
        .values({
          token_hash: marker,
          request_id: marker,
          expires_at: AT,
          used_at: null,
          created_at: AT - 86_400_000,
        })
        .execute();
    },
    count: countWhere("privacy_exports", "token_hash"),
  },
  {
    category: "rate-limit-1d",
    what: "a rate-limit window, a day after it started",
    dueAt: plus({ days: 1 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("rate_limits")
        .values({ key: marker, window_start: AT, count: 3 })
        .execute();
    },
    count: countWhere("rate_limits", "key"),
  },
  {
    category: "rate-limit-1d",
    what: "failed sign-ins, a day after the last",
    dueAt: plus({ days: 1 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("sign_in_failures")
        .values({ account_key: marker, ip_bucket: "203.0.113.0", failures: 2, last_failed_at: AT })
        .execute();
    },
    count: countWhere("sign_in_failures", "account_key"),
  },
  {
    category: "rate-limit-1d",
    what: "a privacy request's emailed code, a day after it was sent",
    dueAt: plus({ days: 1 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("privacy_verifications")
        .values({
          id: marker,
          email: "asker@example.com",
          kind: "access",
          details: null,
          jurisdiction: "gdpr",
          code_hash: marker,
          expires_at: AT + 3_600_000,
          attempts: 0,
          network: null,
          created_at: AT,
          verified_at: null,
        })
        .execute();
    },
    count: countWhere("privacy_verifications", "id"),
  },
  {
    category: "audit-2y",
    what: "an audit log entry, two years after",
    dueAt: plus({ years: 2 }),
    async seed(world, org, marker) {
      await world.store.db
        .insertInto("audit_log")
        .values({
          organisation_id: org.owner.orgId,
          actor_user_id: null,
          action: "sign-in",
          target: marker,
          ip: "203.0.113.0",
          at: AT,
        })
        .execute();
    },
    count: countWhere("audit_log", "target"),
  },
  {
    category: "audit-2y",
    what: "an answered privacy message, two years after the answer",
    dueAt: plus({ years: 2 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("privacy_contact_messages")
        .values({
          name: "Sam",
          email: "sam@example.com",
          topic: marker,
          message: "a question",
          received_at: AT - 86_400_000,
          due_at: AT + 86_400_000,
          answered_at: AT,
        })
        .execute();
    },
    count: countWhere("privacy_contact_messages", "topic"),
  },
  {
    category: "mail-90d",
    what: "sent mail, ninety days after sending",
    dueAt: plus({ days: 90 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("outbox")
        .values({
          organisation_id: null,
          kind: "test",
          to_address: "sam@example.com",
          subject: marker,
          text_body: "x",
          created_at: AT - 60_000,
          sent_at: AT,
          message_id: `<${marker}@ally.test>`,
          attempts: 0,
        })
        .execute();
    },
    count: countWhere("outbox", "subject"),
  },
  {
    category: "mail-90d",
    what: "received mail, ninety days after it was handled",
    dueAt: plus({ days: 90 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("inbound_mail")
        .values({
          message_id: `<${marker}@example.com>`,
          envelope_from: "sam@example.com",
          envelope_to: "[]",
          from_address: "sam@example.com",
          subject: marker,
          text_body: "x",
          calendar_ics: null,
          calendar_method: null,
          in_reply_to: null,
          received_at: AT - 1000,
          claimed_until: null,
          handled_at: AT,
          outcome: null,
          attempts: 0,
        })
        .execute();
    },
    count: countWhere("inbound_mail", "subject"),
  },
  {
    category: "mail-90d",
    what: "a message of Ally's email conversation, ninety days after",
    dueAt: plus({ days: 90 }),
    async seed(world, org, marker) {
      await world.store.db
        .insertInto("assistant_conversations")
        .values({
          id: marker,
          organisation_id: org.owner.orgId,
          request_id: null,
          reply_address: `ally+${marker}@ally.test`,
          status: "open",
          candidate_email: "dana@example.com",
          candidate_name: "Dana",
          recruiter_user_id: org.owner.userId,
          time_zone: "UTC",
          memory: "{}",
          follow_ups_sent: 0,
          created_at: AT,
          updated_at: AT,
        })
        .execute();
      await world.store.db
        .insertInto("assistant_messages")
        .values({
          organisation_id: org.owner.orgId,
          conversation_id: marker,
          direction: "in",
          message_id: `<${marker}@example.com>`,
          party: "candidate",
          address: "dana@example.com",
          subject: marker,
          text_body: "Tuesday works",
          note: "",
          created_at: AT,
        })
        .execute();
    },
    count: countWhere("assistant_messages", "subject"),
  },
  {
    category: "request-3y",
    what: "a completed privacy request, three years after it was completed",
    dueAt: plus({ years: 3 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("privacy_requests")
        .values(privacyRequest(marker, { status: "completed", completed_at: AT }))
        .execute();
    },
    count: countWhere("privacy_requests", "id"),
  },
  {
    category: "finished-jobs",
    what: "a finished background job, thirty days after it finished",
    dueAt: plus({ days: 30 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("scheduled_jobs")
        .values(scheduledJob(marker, { done_at: AT, dead_at: null }))
        .execute();
    },
    count: countWhere("scheduled_jobs", "key"),
  },
  {
    category: "dead-letters",
    what: "a dead background job, ninety days after it was set aside",
    dueAt: plus({ days: 90 }),
    async seed(world, _org, marker) {
      await world.store.db
        .insertInto("scheduled_jobs")
        .values(scheduledJob(marker, { done_at: AT, dead_at: AT }))
        .execute();
    },
    count: countWhere("scheduled_jobs", "key"),
  },
  {
    category: "event-writes",
    what: "a calendar event write, thirty days after it was written",
    dueAt: plus({ days: 30 }),
    async seed(world, org, marker) {
      await world.store.db
        .insertInto("calendar_event_writes")
        .values(eventWrite(org, marker, { status: "done", done_at: AT, dead_at: null }))
        .execute();
    },
    count: countWhere("calendar_event_writes", "booking_uid"),
  },
  {
    category: "dead-letters",
    what: "a calendar event write the queue gave up on, ninety days after",
    dueAt: plus({ days: 90 }),
    async seed(world, org, marker) {
      await world.store.db
        .insertInto("calendar_event_writes")
        .values(eventWrite(org, marker, { status: "failed", done_at: AT, dead_at: AT }))
        .execute();
    },
    count: countWhere("calendar_event_writes", "booking_uid"),
  },
];

function privacyRequest(id: string, state: { status: string; completed_at: number | null }) {
  return {
    id,
    organisation_id: null,
    controller: "operator",
    kind: "access",
    email: "asker@example.com",
    user_id: null,
    details: null,
    jurisdiction: "gdpr",
    received_at: AT - 86_400_000,
    verified_at: AT - 86_400_000,
    due_at: AT + 30 * 86_400_000,
    extended: 0,
    completed_by: null,
    policy_version: "1",
    ...state,
  };
}

function scheduledJob(key: string, state: { done_at: number; dead_at: number | null }) {
  return {
    organisation_id: null,
    kind: "reminder",
    key,
    payload: "{}",
    run_at: AT - 60_000,
    claimed_until: null,
    attempts: 1,
    last_error: null,
    created_at: AT - 60_000,
    ...state,
  };
}

function eventWrite(
  org: Organisation,
  uid: string,
  state: { status: "done" | "failed"; done_at: number; dead_at: number | null },
) {
  return {
    organisation_id: org.owner.orgId,
    user_id: org.owner.userId,
    booking_uid: uid,
    action: "upsert" as const,
    payload: "{}",
    attempts: 1,
    next_attempt_at: AT - 60_000,
    claimed_until: null,
    last_error: null,
    outcome: "written",
    created_at: AT - 60_000,
    ...state,
  };
}

let serial = 0;

for (const database of await testDatabases()) {
  describe(`retention limits on ${database.dialect}`, () => {
    let world: World;
    let org: Organisation;

    beforeAll(async () => {
      world = await createWorld(database);
      org = await createOrganisation(world);
    });
    afterAll(async () => {
      await world?.drop();
    });

    const purgeAt = async (epochMs: number) => {
      world.clock.set(epochMs);
      return runRetentionPurge({
        db: world.store.db,
        clock: world.clock,
        erasure: world.deps.erasure,
      });
    };

    for (const c of cases) {
      it(`removes ${c.what} (${c.category}) at its limit and not a millisecond before`, async () => {
        serial += 1;
        const marker = `retention-${c.category}-${serial}`;
        await c.seed(world, org, marker);
        expect(await c.count(world, marker)).toBe(1);
        await purgeAt(c.dueAt - 1);
        expect(await c.count(world, marker)).toBe(1);
        const run = await purgeAt(c.dueAt);
        expect(await c.count(world, marker)).toBe(0);
        const line = run.categories.find(
          (l) => l.category === c.category && l.organisationId === null,
        );
        expect(line?.removed).toBeGreaterThanOrEqual(1);
        expect(line?.error).toBeNull();
      });
    }
  });
}
