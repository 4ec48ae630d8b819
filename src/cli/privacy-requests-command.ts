/**
 * The operator's privacy queue: data-subject requests about Ally's own users (the operator is
 * their controller; a customer's candidates go to that customer's queue in the app). There is
 * no operator role in the web app: whoever runs the instance works this queue from the command
 * line, where the database and the keys already are.
 *
 * `ally privacy requests [--all]`: open requests (all with --all), soonest deadline first, with
 *   paused, near-due and overdue flagged.
 * `ally privacy request ID complete|extend|refuse`: answers one, as an admin does in the app
 *   (completing carries the right out: an access link is mailed, an erasure is done).
 */

import { systemClock } from "../clock.js";
import { configFrom } from "./cli-config.js";
import type { SlotsIo } from "./slots.js";

const USAGE = "usage: ally privacy requests [--all] | request ID complete|extend|refuse";
const ACTIONS = ["complete", "extend", "refuse"] as const;

type Parsed =
  | { sub: "requests"; all: boolean }
  | { sub: "request"; id: string; action: (typeof ACTIONS)[number] };

function parse(args: readonly string[]): Parsed | string {
  const [sub, first, second, extra] = args;
  if (sub === "requests") {
    if (second !== undefined) return `unexpected "${second}"`;
    if (first !== undefined && first !== "--all") return `unexpected "${first}"`;
    return { sub, all: first === "--all" };
  }
  if (extra !== undefined) return `unexpected "${extra}"`;
  if (first === undefined || !/^[A-Za-z0-9_-]{1,64}$/.test(first)) {
    return "give the request's id, as `ally privacy requests` lists it";
  }
  const action = ACTIONS.find((a) => a === second);
  if (action === undefined) return "say what to do: complete, extend or refuse";
  return { sub: "request", id: first, action };
}

const day = (ms: number | null) => (ms === null ? "—" : new Date(ms).toISOString().slice(0, 10));

/** True for the subcommands this file handles. */
export const isRequestsSubcommand = (sub: string | undefined) =>
  sub === "requests" || sub === "request";

export async function privacyRequestsCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  const parsed = parse(args);
  if (typeof parsed === "string") {
    io.stderr(`ally privacy: ${parsed} (${USAGE})`);
    return 2;
  }
  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const { loadKeyring } = await import("../secrets/load-keyring.js");
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const { buildDeps } = await import("../app/compose.js");
  const { answerRequest, listQueue } = await import("../privacy/requests/commands.js");
  const keyring = loadKeyring(
    config,
    config.database.url.startsWith("sqlite:") ? "sqlite" : "postgres",
  );
  const store = openStore(config.database.url);
  try {
    await migrateToLatest(store.db, store.dialect);
    const clock = { ...systemClock, now: () => io.nowEpochMs() };
    const deps = buildDeps(config, store, clock, keyring);
    if (parsed.sub === "request") {
      const answered = await answerRequest(deps.privacy, "operator", {
        requestId: parsed.id,
        action: parsed.action,
        byUserId: "operator",
      });
      io.stdout(
        `${answered.id}  ${answered.kind}  ${answered.status}  due ${day(answered.dueAt)}\n`,
      );
      return 0;
    }
    const queue = (await listQueue(deps.privacy, "operator")).filter(
      (r) => parsed.all || r.status === "open",
    );
    if (queue.length === 0) io.stdout("no privacy requests waiting\n");
    for (const r of queue) {
      const state = r.flag === null ? r.status : r.flag;
      io.stdout(
        `${r.id}  ${state.toUpperCase()}  due ${day(r.dueAt)}${r.extended ? " (extended)" : ""}  ${r.kind}  from ${r.email}  received ${day(r.receivedAt)}\n`,
      );
    }
    return 0;
  } catch (error) {
    io.stderr(`ally privacy ${parsed.sub}: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
