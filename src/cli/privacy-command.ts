/**
 * `ally privacy publish [VERSION]`: publishes a version of the privacy policy (default: the
 * newest in the repository), emailing every account holder, who then accept it at next sign-in.
 * `ally privacy queue [--all]`: the privacy questions and complaints, soonest deadline first,
 * with near-due and overdue flagged and the referral text for an overdue complaint.
 * `ally privacy answered ID`: marks one answered.
 */
import { configFrom } from "./cli-config.js";
import { isRequestsSubcommand, privacyRequestsCommand } from "./privacy-requests-command.js";
import type { SlotsIo } from "./slots.js";

const USAGE =
  "usage: ally privacy publish [VERSION] | queue [--all] | answered ID | requests [--all] | request ID complete|extend|refuse";

type Parsed =
  | { sub: "publish"; version: number | undefined }
  | { sub: "queue"; all: boolean }
  | { sub: "answered"; id: number };

function parse(args: readonly string[]): Parsed | string {
  const [sub, arg, extra] = args;
  if (extra !== undefined) return `unexpected "${extra}"`;
  const positive = (v: string | undefined) =>
    v !== undefined && /^[1-9]\d{0,8}$/.test(v) ? Number(v) : undefined;
  if (sub === "publish") {
    if (arg !== undefined && positive(arg) === undefined) return `not a version number: "${arg}"`;
    return { sub, version: positive(arg) };
  }
  if (sub === "queue") {
    if (arg !== undefined && arg !== "--all") return `unexpected "${arg}"`;
    return { sub, all: arg === "--all" };
  }
  if (sub === "answered") {
    const id = positive(arg?.replace(/^P-/i, ""));
    return id === undefined ? "give the message's number, e.g. P-12" : { sub, id };
  }
  return sub === undefined ? "give a subcommand" : `unknown subcommand "${sub}"`;
}

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export async function privacyCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  if (isRequestsSubcommand(args[0])) return privacyRequestsCommand(args, io, env);
  const parsed = parse(args);
  if (typeof parsed === "string") {
    io.stderr(`ally privacy: ${parsed} (${USAGE})`);
    return 2;
  }
  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const store = openStore(config.database.url);
  try {
    await migrateToLatest(store.db, store.dialect);
    const now = io.nowEpochMs();
    if (parsed.sub === "publish") {
      const { publishPolicyVersion } = await import("../privacy/policy-publication.js");
      const { accountHolders } = await import("../accounts/reads.js");
      const { enqueueMail } = await import("../mail/outbox.js");
      const result = await publishPolicyVersion(
        {
          db: store.db,
          recipients: accountHolders,
          mail: (trx, message, at) => enqueueMail(trx, message, at, config.mail.from),
          now,
          publicUrl: config.http.publicUrl,
        },
        parsed.version,
      );
      io.stdout(
        `privacy policy version ${result.version} published; ${result.notified} account holder(s) emailed\n`,
      );
      return 0;
    }
    const { contactQueue, markAnswered } = await import("../privacy/complaints.js");
    if (parsed.sub === "answered") {
      await markAnswered(store.db, parsed.id, now);
      io.stdout(`P-${parsed.id} marked answered\n`);
      return 0;
    }
    const queue = await contactQueue(store.db, now, config.privacy, parsed.all);
    if (queue.length === 0) io.stdout("no privacy messages waiting\n");
    for (const m of queue) {
      io.stdout(
        `P-${m.id}  ${m.state.toUpperCase()}  due ${day(m.dueAt)}  ${m.topic}  from ${m.name} <${m.email}>  received ${day(m.receivedAt)}\n`,
      );
      if (m.referral !== undefined) io.stdout(`  tell them: ${m.referral}\n`);
    }
    return 0;
  } catch (error) {
    io.stderr(`ally privacy ${parsed.sub}: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
