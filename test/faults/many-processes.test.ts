/**
 * Two `ally serve` processes on one PostgreSQL database, each with its own outbox, inbound,
 * calendar and job workers, sending through one real SMTP relay and each listening for inbound
 * mail: a whole booking flow with requests alternating between them sends every message exactly
 * once, and one inbound message delivered to both listeners is stored and handled once.
 */

import nodemailer from "nodemailer";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/database.js";
import { SESSION_COOKIE } from "../../src/web/app.js";
import { testDatabases } from "../support/databases.js";
import {
  type AllyProcess,
  api,
  eventually,
  MAIL_DOMAIN,
  requestInput,
  type SeededBookingOrg,
  seedBookingOrg,
  startAlly,
} from "./ally-process.js";
import { startRelay, type TestRelay } from "./smtp-relay.js";

const postgres = (await testDatabases()).find((d) => d.dialect === "postgres");

/** The candidate's page on a booking link, as a browser without scripts would use it. */
async function candidateBooks(ally: AllyProcess, token: string): Promise<number> {
  const page = await (await fetch(`${ally.url}/book/${token}`)).text();
  const form = /name="_form" value="([^"]+)"/.exec(page)?.[1];
  const key = /name="key" value="([^"]+)"/.exec(page)?.[1];
  const option = /name="option"[^>]*value="(opt_[0-9a-f]+)"/.exec(page)?.[1];
  if (form === undefined || key === undefined || option === undefined) {
    throw new Error(`the booking page offers no form: ${page.slice(0, 400)}`);
  }
  const response = await fetch(`${ally.url}/book/${token}/book`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ _form: form, key, option, zone: "UTC" }).toString(),
    redirect: "manual",
  });
  return response.status;
}

describe.skipIf(postgres === undefined)("two ally serve processes on PostgreSQL", () => {
  let store: Store;
  let url: string;
  let drop: () => Promise<void>;
  let relay: TestRelay;
  let org: SeededBookingOrg;
  const processes: AllyProcess[] = [];

  beforeAll(async () => {
    if (postgres === undefined) return;
    ({ store, url, drop } = await postgres.create());
    relay = await startRelay();
    org = await seedBookingOrg(store);
    for (let i = 0; i < 2; i++) {
      processes.push(
        await startAlly({
          DATABASE_URL: url,
          SMTP_URL: relay.url,
          INBOUND_SMTP_PORT: "0",
          INBOUND_MAIL_DOMAIN: MAIL_DOMAIN,
        }),
      );
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(processes.map((p) => p.stop()));
    await relay?.close();
    await drop?.();
  }, 60_000);

  /** Waits until the outbox is empty; answers every row's Message-ID. */
  async function allSent(): Promise<string[]> {
    await eventually("the outbox to be sent", async () => {
      const waiting = await store.db
        .selectFrom("outbox")
        .select("id")
        .where("sent_at", "is", null)
        .execute();
      return waiting.length === 0;
    });
    const rows = await store.db.selectFrom("outbox").select("message_id").execute();
    return rows.map((r) => r.message_id);
  }

  it("runs a booking flow across both processes and sends every message exactly once", async () => {
    const [a, b] = processes as [AllyProcess, AllyProcess];
    const token = org.owner.apiToken;
    const base = "/api/v1/interview-requests";

    const created = await api(a, token, "POST", base, requestInput(org));
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const options = await api(b, token, "GET", `${base}/${id}/options`);
    expect(options.status).toBe(200);
    expect((options.body.options as unknown[]).length).toBeGreaterThan(1);

    // The recruiter sends the options to the candidate from the request's page.
    const sent = await fetch(`${a.url}/app/requests/${id}/offer`, {
      method: "POST",
      headers: {
        cookie: `${SESSION_COOKIE}=${org.owner.session.token}`,
        "content-type": "application/x-www-form-urlencoded",
      },
      body: new URLSearchParams({ _csrf: org.owner.session.csrfToken }).toString(),
      redirect: "manual",
    });
    expect(sent.status).toBe(303);
    const link = await store.db
      .selectFrom("outbox")
      .select("text_body")
      .where("organisation_id", "=", org.owner.actor.orgId)
      .where("kind", "=", "booking-link")
      .executeTakeFirstOrThrow();
    const linkToken = /\/book\/([A-Za-z0-9_-]+)/.exec(link.text_body)?.[1] as string;

    // The candidate opens the page on one process and books on the other.
    expect(await candidateBooks(b, linkToken)).toBe(303);
    const booked = await api(a, token, "GET", `${base}/${id}`);
    expect(booked.body.status).toBe("scheduled");

    const fresh = await api(b, token, "GET", `${base}/${id}/options`);
    const target = (fresh.body.options as Array<{ id: string }>).at(-1)?.id as string;
    const moved = await api(a, token, "POST", `${base}/${id}/reschedule`, {
      optionId: target,
      idempotencyKey: "move-once-0001",
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const cancelled = await api(b, token, "POST", `${base}/${id}/cancel`, {
      reason: "The role was filled",
    });
    expect(cancelled.status, JSON.stringify(cancelled.body)).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");

    const bookings = await store.db
      .selectFrom("bookings")
      .select("id")
      .where("request_id", "=", id)
      .execute();
    expect(bookings).toHaveLength(1);
    const active = await store.db
      .selectFrom("booked_slots")
      .select("id")
      .where("booking_id", "=", bookings[0]?.id as string)
      .where("active", "=", 1)
      .execute();
    expect(active).toEqual([]);

    // Invitations, the reschedule's updates and the cancellations: each once at the relay.
    const ids = await allSent();
    expect(ids.length).toBeGreaterThan(5);
    await eventually("the relay to have every message", () => relay.accepted.length >= ids.length);
    expect([...relay.accepted].sort()).toEqual([...ids].sort());
    for (const ally of processes) expect(ally.alive(), ally.stderr()).toBe(true);
  }, 180_000);

  it("stores and handles once an inbound message delivered to both processes' listeners", async () => {
    const messageId = `<reply-${Date.now()}@candidate.example.org>`;
    for (const ally of processes) {
      const transport = nodemailer.createTransport({
        host: "127.0.0.1",
        port: ally.smtpPort,
        secure: false,
        ignoreTLS: true,
      });
      await transport.sendMail({
        from: "casey@candidate.example.org",
        to: `replies@${MAIL_DOMAIN}`,
        subject: "Re: Your interview",
        text: "Thursday afternoon works for me.",
        messageId,
      });
      transport.close();
    }
    const handled = await eventually("the message to be handled", async () => {
      const rows = await store.db
        .selectFrom("inbound_mail")
        .selectAll()
        .where("message_id", "=", messageId)
        .execute();
      return rows.length === 1 && rows[0]?.handled_at !== null ? rows : undefined;
    });
    expect(handled).toHaveLength(1);
    // Claimed and handled by one worker, one time.
    expect(handled[0]?.attempts).toBe(1);
    for (const ally of processes) expect(ally.alive(), ally.stderr()).toBe(true);
  }, 120_000);
});
