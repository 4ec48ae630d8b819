/** Every email Ally sends ends with a link to the privacy policy, added once where mail is sent. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { type RenderedMessage, sendNext } from "../../src/mail/outbox-worker.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";

const T = Date.parse("2026-12-03T14:00:00Z");
const FOOTER = "Privacy policy: https://ally.example.com/privacy";

describe("the privacy policy link in every email", () => {
  let store: Store;
  const sent: RenderedMessage[] = [];
  const transport = {
    send: async (message: RenderedMessage) => {
      sent.push(message);
      return {};
    },
    close: () => {},
  };

  beforeAll(async () => {
    store = openStore("sqlite::memory:");
    await migrateToLatest(store.db, store.dialect);
  });
  afterAll(async () => {
    await store?.close();
  });

  it("ends the text and the HTML body of a message with the policy's address", async () => {
    await enqueueMail(
      store.db,
      {
        organisationId: null,
        kind: "notice",
        to: "ada@example.com",
        subject: "Hello",
        text: "Body.",
        html: "<html><body><p>Body.</p></body></html>",
      },
      T,
    );
    const deps = { db: store.db, clock: fixedClock(T), transport, from: "Ally <ally@ally.test>" };
    expect(await sendNext({ ...deps, footer: FOOTER })).toBe(true);
    expect(sent[0]?.text).toBe(`Body.\n\n-- \n${FOOTER}\n`);
    expect(sent[0]?.html).toBe(
      `<html><body><p>Body.</p><p style="color:#555;font-size:small">${FOOTER}</p></body></html>`,
    );
  });
});
