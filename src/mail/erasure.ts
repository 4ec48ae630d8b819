/**
 * The mail module's part of an erasure (privacy/erasure.ts): every message Ally sent to the
 * person or about them (their address, name or phone anywhere in it) leaves the outbox, with
 * its `.eml` file in the outbox folder; every message received from them or naming them leaves
 * the mail store. An erasure for one organisation only removes that organisation's sent mail
 * (received mail is not tied to an organisation: it goes whenever it names the person).
 */
import { readdir, readFile, rm } from "node:fs/promises";
import { join, resolve } from "node:path";
import {
  affected,
  type ErasureSubject,
  type ModuleErasure,
  mentions,
  needlesOf,
} from "../privacy/erasure-subject.js";
import { type AnyHandle, mailDb } from "./db.js";

export interface MailErasureDeps {
  /** The outbox folder (folder transport), when mail is written to files. */
  outboxDirectory?: string;
}

const OUTBOX_TEXT = ["to_address", "subject", "text_body", "html_body", "calendar_ics"] as const;
const INBOUND_TEXT = [
  "envelope_from",
  "envelope_to",
  "from_address",
  "subject",
  "text_body",
  "calendar_ics",
] as const;

/** `.eml` files in `directory` that name the person, besides those of deleted rows. */
async function filesNaming(directory: string, needles: readonly string[]): Promise<string[]> {
  const names = await readdir(directory).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names) {
    if (!name.endsWith(".eml") && !name.endsWith(".part")) continue;
    const path = resolve(join(directory, name));
    const text = (await readFile(path, "utf8").catch(() => "")).toLowerCase();
    if (needles.some((needle) => text.includes(needle))) found.push(path);
  }
  return found;
}

async function erase(handle: AnyHandle, subject: ErasureSubject, deps: MailErasureDeps) {
  const trx = mailDb(handle);
  const needles = needlesOf(subject);
  let sent = trx
    .selectFrom("outbox")
    .select(["id", "file_path"])
    .where((eb) => mentions(eb, OUTBOX_TEXT, needles));
  if (subject.orgId !== null) sent = sent.where("organisation_id", "=", subject.orgId);
  const rows = await sent.execute();
  const ids = rows.map((r) => r.id);
  const outbox =
    ids.length === 0
      ? 0
      : affected(await trx.deleteFrom("outbox").where("id", "in", ids).executeTakeFirst());
  const inbound = affected(
    await trx
      .deleteFrom("inbound_mail")
      .where((eb) => mentions(eb, INBOUND_TEXT, needles))
      .executeTakeFirst(),
  );
  const rowFiles = rows.flatMap((r) => (r.file_path === null ? [] : [r.file_path]));
  return {
    tables: {
      outbox: { deleted: outbox, anonymised: 0 },
      inbound_mail: { deleted: inbound, anonymised: 0 },
    },
    afterCommit: async () => {
      const named =
        deps.outboxDirectory === undefined ? [] : await filesNaming(deps.outboxDirectory, needles);
      const files = new Set([...rowFiles.map((f) => resolve(f)), ...named]);
      let removed = 0;
      for (const file of files) {
        const existed = await rm(file).then(
          () => true,
          () => false,
        );
        if (existed) removed += 1;
      }
      return { files: removed };
    },
  };
}

/**
 * The mail module's erasure step.
 * @example mailErasure({ outboxDirectory: "/var/lib/ally/outbox" })
 */
export function mailErasure(deps: MailErasureDeps = {}): ModuleErasure {
  return { module: "mail", erase: (trx, subject) => erase(trx, subject, deps) };
}
