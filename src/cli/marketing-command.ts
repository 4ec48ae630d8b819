/**
 * The operator's promotional list of its customers, from the command line (there is no
 * operator role in the web app; whoever runs the instance works it here, as the privacy queue).
 * The same commands as an organisation's admins use at /app/marketing, on the operator's lists
 * (no organisation). The send itself goes out through the running workers (`ally serve` or
 * `ally work`), in batches through the outbox.
 *
 * `ally marketing lists`
 * `ally marketing create NAME`
 * `ally marketing add LIST EMAIL SOURCE`   SOURCE: where and how the person consented
 * `ally marketing subscribers LIST`
 * `ally marketing send LIST SUBJECT FILE`   FILE: the plain-text message
 * `ally marketing progress LIST`
 */
import { systemClock } from "../clock.js";
import type { Marketing } from "../marketing/service.js";
import { configFrom } from "./cli-config.js";
import type { SlotsIo } from "./slots.js";

const USAGE =
  "usage: ally marketing lists | create NAME | add LIST EMAIL SOURCE | subscribers LIST | send LIST SUBJECT FILE | progress LIST";

const ARITY: Record<string, number> = {
  lists: 0,
  create: 1,
  add: 3,
  subscribers: 1,
  send: 3,
  progress: 1,
};

const when = (ms: number | null) => (ms === null ? "—" : new Date(ms).toISOString());

async function run(operator: Marketing["operator"], sub: string, args: string[], io: SlotsIo) {
  const [a = "", b = "", c = ""] = args;
  switch (sub) {
    case "lists":
      for (const l of await operator.lists()) {
        io.stdout(
          `${l.id}  ${l.name}  ${l.subscribers} subscribed, ${l.pending} awaiting confirmation\n`,
        );
      }
      return;
    case "create":
      io.stdout(`${(await operator.createList({ name: a, description: "" })).id}\n`);
      return;
    case "add":
      io.stdout(`${(await operator.addSubscriber(a, { email: b, consentSource: c })).id}\n`);
      return;
    case "subscribers":
      for (const s of await operator.subscribers(a)) {
        io.stdout(`${s.email}  ${s.consentMethod}  ${when(s.consentAt)}  ${s.consentSource}\n`);
      }
      return;
    case "send": {
      const sent = await operator.send(a, { subject: b, text: await io.readText(c) });
      io.stdout(`${sent.messageId}  ${sent.recipients} recipient(s), queued by the workers\n`);
      return;
    }
    default:
      for (const p of await operator.progress(a)) {
        io.stdout(
          `${p.messageId}  ${p.queued} of ${p.total} queued, ${p.skipped} skipped, ${p.pending} waiting, ${p.opens} opened  ${p.subject}\n`,
        );
      }
  }
}

export async function marketingCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || ARITY[sub] !== rest.length) {
    io.stderr(`ally marketing: ${USAGE}`);
    return 2;
  }
  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const { loadKeyring } = await import("../secrets/load-keyring.js");
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const { buildDeps } = await import("../app/compose.js");
  const keyring = loadKeyring(
    config,
    config.database.url.startsWith("sqlite:") ? "sqlite" : "postgres",
  );
  const store = openStore(config.database.url);
  try {
    await migrateToLatest(store.db, store.dialect);
    const clock = { ...systemClock, now: () => io.nowEpochMs() };
    await run(buildDeps(config, store, clock, keyring).marketing.operator, sub, rest, io);
    return 0;
  } catch (error) {
    io.stderr(`ally marketing ${sub}: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
