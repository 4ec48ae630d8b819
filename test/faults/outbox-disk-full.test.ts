/**
 * The outbox folder's disk fills up (no SMTP relay: messages are written as .eml files): the
 * message stays queued, no half-written file is left to be listed, and once space returns it is
 * written, once, whole. On both databases.
 *
 * The folder is on a tiny tmpfs of its own when this machine lets the test mount one (ENOSPC,
 * as on a real full disk); otherwise writing is made to fail by putting a regular file where
 * the folder's parent should be (ENOTDIR), and removing it brings the space back.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixedClock } from "../../src/clock.js";
import { enqueueMail } from "../../src/mail/outbox.js";
import { folderTransport, type OutboxWorkerDeps, sendNext } from "../../src/mail/outbox-worker.js";
import type { Store } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";

// Tue 1 Dec 2026, 14:00 UTC
const T0 = Date.UTC(2026, 11, 1, 14, 0, 0);
const FROM = "Ally <ally@ally.test>";
const HOUR_MS = 3_600_000;

interface FullDisk {
  /** The outbox folder. */
  folder: string;
  /** `ENOSPC` on a real tmpfs, or `ENOTDIR` where mounting is not allowed. */
  failure: string;
  fill(): void;
  free(): void;
  dispose(): void;
}

/** A 256 KiB tmpfs, filled to the last byte by a filler file; freeing deletes the filler. */
function tmpfsDisk(root: string): FullDisk | undefined {
  const mountPoint = join(root, "disk");
  mkdirSync(mountPoint);
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k", "tmpfs", mountPoint], {
      stdio: "ignore",
    });
  } catch {
    return undefined;
  }
  const filler = join(mountPoint, "filler");
  return {
    folder: join(mountPoint, "outbox"),
    failure: "ENOSPC",
    fill() {
      mkdirSync(join(mountPoint, "outbox"), { recursive: true });
      try {
        writeFileSync(filler, Buffer.alloc(1024 * 1024));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
      }
    },
    free: () => rmSync(filler, { force: true }),
    dispose: () => execFileSync("umount", [mountPoint], { stdio: "ignore" }),
  };
}

/** Writes fail because the folder's parent is a regular file; freeing makes it a folder. */
function blockedDisk(root: string): FullDisk {
  const parent = join(root, "blocked");
  return {
    folder: join(parent, "outbox"),
    failure: "ENOTDIR",
    fill: () => writeFileSync(parent, "not a folder"),
    free: () => rmSync(parent, { force: true }),
    dispose() {},
  };
}

/** Sends until nothing is due (a failed message waits out its backoff on the test clock). */
async function drain(deps: OutboxWorkerDeps): Promise<void> {
  while (await sendNext(deps)) {
    // next message
  }
}

for (const database of await testDatabases()) {
  describe(`a full disk under the outbox folder, on ${database.dialect}`, () => {
    let store: Store;
    let drop: () => Promise<void>;
    let root: string;
    let disk: FullDisk;

    beforeAll(async () => {
      ({ store, drop } = await database.create());
      root = mkdtempSync(join(tmpdir(), "ally-outbox-full-"));
      disk = tmpfsDisk(root) ?? blockedDisk(root);
    }, 60_000);
    afterAll(async () => {
      disk?.dispose();
      rmSync(root, { recursive: true, force: true });
      await drop?.();
    });

    it("keeps the message queued with no partial file, and writes it once when space returns", async () => {
      const clock = fixedClock(T0);
      // Larger than anything that could squeeze into the last free block.
      const text = `Hello,\n\n${"Here are the times that fit everyone. ".repeat(400)}\n`;
      const { messageId } = await enqueueMail(
        store.db,
        { organisationId: null, kind: "test", to: "candidate@example.com", subject: "Times", text },
        clock.now(),
        FROM,
      );
      const worker: OutboxWorkerDeps = {
        db: store.db,
        clock,
        transport: folderTransport(disk.folder),
        from: FROM,
      };
      const files = () => {
        try {
          return readdirSync(disk.folder);
        } catch {
          return [];
        }
      };
      const row = () =>
        store.db
          .selectFrom("outbox")
          .select(["sent_at", "last_error", "file_path", "attempts"])
          .where("message_id", "=", messageId)
          .executeTakeFirstOrThrow();
      try {
        disk.fill();
        await drain(worker);
        const queued = await row();
        expect(queued.sent_at).toBeNull();
        expect(queued.last_error).toContain(disk.failure);
        expect(files()).toEqual([]);

        // Still full an hour later: still queued, still nothing half-written.
        clock.advance(HOUR_MS);
        await drain(worker);
        expect((await row()).sent_at).toBeNull();
        expect(files()).toEqual([]);

        disk.free();
        clock.advance(6 * HOUR_MS);
        await drain(worker);
      } finally {
        worker.transport.close();
      }
      const sent = await row();
      expect(sent.sent_at).not.toBeNull();
      expect(files()).toHaveLength(1);
      const written = readFileSync(sent.file_path as string, "utf8");
      expect(written).toContain(`Message-ID: ${messageId}`);
      expect(written.replace(/=\r?\n/g, "")).toContain("Here are the times that fit everyone.");
    });
  });
}
