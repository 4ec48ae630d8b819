/**
 * Privacy questions and complaints: the 45-day answer deadline on a fixed clock, the queue's
 * flags, the acknowledgment by email, the daily limit per address, and the referral text for an
 * overdue complaint, on every database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enqueueMail } from "../../src/mail/outbox.js";
import {
  answerDeadline,
  type ContactInput,
  contactQueue,
  deadlineState,
  markAnswered,
  referralText,
  submitContactMessage,
} from "../../src/privacy/complaints.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";
import { testConfig } from "../support/web-world.js";

const DAY = 86_400_000;
const settings = testConfig({ PRIVACY_DISPUTE_BODY: "The Fair Disputes Office" }).privacy;
const at = (iso: string) => Date.parse(iso);

describe("the answer deadline", () => {
  it("is 45 calendar days after receipt, across a month end and a year end", () => {
    expect(answerDeadline(at("2026-01-31T10:00:00Z"))).toBe(at("2026-03-17T10:00:00Z"));
    expect(answerDeadline(at("2026-12-03T14:00:00Z"))).toBe(at("2027-01-17T14:00:00Z"));
    expect(answerDeadline(at("2028-02-15T00:00:00Z"))).toBe(at("2028-03-31T00:00:00Z"));
  });

  it("flags a message open, near due in its last seven days, then overdue; answered stays answered", () => {
    const due = at("2026-03-17T10:00:00Z");
    expect(deadlineState(due, null, due - 8 * DAY)).toBe("open");
    expect(deadlineState(due, null, due - 7 * DAY)).toBe("near-due");
    expect(deadlineState(due, null, due)).toBe("near-due");
    expect(deadlineState(due, null, due + 1)).toBe("overdue");
    expect(deadlineState(due, due - DAY, due + 30 * DAY)).toBe("answered");
  });

  it("refers an unresolved complaint to the configured dispute body", () => {
    expect(referralText(settings)).toContain("The Fair Disputes Office");
    expect(referralText(settings)).toContain("45 days");
  });
});

const databases = await testDatabases();

describe.each(databases)("the privacy contact queue on $dialect", (database) => {
  let store: Store;
  let drop: () => Promise<void>;
  const T = at("2026-12-03T14:00:00Z");
  const complaint: ContactInput = {
    name: "Rosa Park",
    email: "rosa@example.com",
    topic: "complaint",
    message: "You kept my data after I asked you to delete it.",
  };

  beforeAll(async () => {
    ({ store, drop } = await database.create());
  });
  afterAll(async () => {
    await drop?.();
  });

  it("queues a complaint with its deadline and acknowledges it at once, with the referral text", async () => {
    const { id, dueAt } = await submitContactMessage(
      { db: store.db, now: T, settings, mail: enqueueMail },
      complaint,
    );
    expect(dueAt).toBe(answerDeadline(T));
    const mail = await store.db
      .selectFrom("outbox")
      .select(["to_address", "subject", "text_body", "created_at"])
      .where("kind", "in", ["privacy-contact-received", "privacy-contact-queued"])
      .execute();
    const ack = mail.find((m) => m.to_address === "rosa@example.com");
    expect(ack?.subject).toContain(`P-${id}`);
    expect(Number(ack?.created_at)).toBe(T);
    expect(ack?.text_body).toContain("2027-01-17");
    expect(ack?.text_body).toContain("The Fair Disputes Office");
    expect(mail.some((m) => m.to_address === settings.privacyContact)).toBe(true);
    const [queued] = await contactQueue(store.db, T, settings);
    expect(queued).toMatchObject({ id, state: "open", referral: undefined, topic: "complaint" });
  });

  it("flags the complaint overdue after 45 days, with the referral text, until it is answered", async () => {
    const later = answerDeadline(T) + 1;
    const [overdue] = await contactQueue(store.db, later, settings);
    expect(overdue?.state).toBe("overdue");
    expect(overdue?.referral).toContain("The Fair Disputes Office");
    await markAnswered(store.db, overdue?.id as number, later);
    expect(await contactQueue(store.db, later, settings)).toEqual([]);
    const [answered] = await contactQueue(store.db, later, settings, true);
    expect(answered?.state).toBe("answered");
    await expect(markAnswered(store.db, overdue?.id as number, later)).rejects.toMatchObject({
      code: "NOT_FOUND",
    });
  });

  it("accepts at most three messages a day from one address", async () => {
    const input = { ...complaint, email: "busy@example.com", topic: "question" as const };
    for (let i = 0; i < 3; i += 1)
      await submitContactMessage({ db: store.db, now: T, settings, mail: enqueueMail }, input);
    await expect(
      submitContactMessage({ db: store.db, now: T, settings, mail: enqueueMail }, input),
    ).rejects.toMatchObject({ code: "RATE_LIMITED" });
    await submitContactMessage(
      { db: store.db, now: T + 86_400_001, settings, mail: enqueueMail },
      input,
    );
  });
});
