/**
 * `ally work` (app/main.ts `startWorkerProcess`): the queue workers without HTTP. Given a
 * database another process writes to, it sends what the outbox holds and stops cleanly.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorkerProcess } from "../../src/app/main.js";
import { loadConfig } from "../../src/config.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { openStore, type Store } from "../../src/store/database.js";
import { migrateToLatest } from "../../src/store/migrations.js";

describe("ally work", () => {
  let dir: string;
  let store: Store;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "ally-work-"));
    store = openStore(`sqlite:${join(dir, "ally.db")}`);
    await migrateToLatest(store.db, store.dialect);
  });
  afterAll(async () => {
    await store?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("sends the outbox's messages without serving HTTP, and stops when closed", async () => {
    const result = loadConfig({
      DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
      DATA_DIR: dir,
      OUTBOX_POLL_MS: "50",
      MAIL_FROM: "Ally <ally@ally.test>",
    });
    if (!result.ok) throw new Error(result.errors.join("; "));
    const lines: string[] = [];
    const worker = await startWorkerProcess(result.config, (line) => lines.push(line));
    try {
      const { messageId } = await enqueueMail(
        store.db,
        {
          organisationId: null,
          kind: "notice",
          to: "sam@example.com",
          subject: "From the worker",
          text: "x",
        },
        Date.now(),
      );
      let sentAt: number | null = null;
      // Bounded: 400 looks, 50 ms apart at the least.
      for (let look = 0; look < 400 && sentAt === null; look++) {
        await new Promise((next) => setTimeout(next, 50));
        const row = await store.db
          .selectFrom("outbox")
          .select("sent_at")
          .where("message_id", "=", messageId as string)
          .executeTakeFirstOrThrow();
        sentAt = row.sent_at;
      }
      expect(sentAt).not.toBeNull();
      const safeId = (messageId as string).replace(/[^A-Za-z0-9.@-]/g, "");
      expect(existsSync(join(dir, "outbox", `${safeId}.eml`))).toBe(true);
      expect(lines).toContain("ally: working the queues (sqlite)");
    } finally {
      await worker.close();
    }
  }, 60_000);
});
