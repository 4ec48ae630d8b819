/**
 * The operator's dead letters, from the command line where the database already is: every
 * queue's (scheduled jobs, outgoing mail, calendar writes, and inbound mail, which belongs to
 * no organisation until read), for every organisation.
 *
 * `ally jobs dead`: newest first, one line each: queue, id, what, attempts, when, last error.
 * `ally jobs retry QUEUE ID`: puts one back, due now, with fresh attempts.
 */

import { systemClock } from "../clock.js";
import { configFrom } from "./cli-config.js";
import type { SlotsIo } from "./slots.js";

const USAGE = "usage: ally jobs dead | retry QUEUE ID";

type Parsed = { sub: "dead" } | { sub: "retry"; queue: string; id: number };

function parse(args: readonly string[]): Parsed | string {
  const [sub, queue, id, extra] = args;
  if (sub === "dead") return queue === undefined ? { sub } : `unexpected "${queue}"`;
  if (sub !== "retry") return sub === undefined ? "say what to do" : `unknown "${sub}"`;
  if (extra !== undefined) return `unexpected "${extra}"`;
  if (queue === undefined || !/^[a-z_-]{1,64}$/.test(queue)) {
    return "give the queue's name, as `ally jobs dead` lists it";
  }
  if (id === undefined || !/^\d{1,15}$/.test(id)) return "give the dead letter's id, a number";
  return { sub, queue, id: Number(id) };
}

export async function jobsCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
): Promise<number> {
  const parsed = parse(args);
  if (typeof parsed === "string") {
    io.stderr(`ally jobs: ${parsed} (${USAGE})`);
    return 2;
  }
  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const { operatorDeadLetters } = await import("../app/dead-letters.js");
  const store = openStore(config.database.url);
  try {
    await migrateToLatest(store.db, store.dialect);
    const clock = { ...systemClock, now: () => io.nowEpochMs() };
    const letters = operatorDeadLetters({ store, clock });
    if (parsed.sub === "retry") {
      await letters.retry(parsed.queue, parsed.id);
      io.stdout(`${parsed.queue} ${parsed.id}: back in the queue, due now\n`);
      return 0;
    }
    const dead = await letters.list();
    if (dead.length === 0) io.stdout("no dead letters\n");
    for (const d of dead) {
      const when = new Date(d.deadAt).toISOString().slice(0, 16).replace("T", " ");
      const error = (d.lastError ?? "").replace(/\s+/g, " ").slice(0, 120);
      io.stdout(`${d.queue}  ${d.id}  ${d.kind}  ${d.attempts} attempts  ${when} UTC  ${error}\n`);
    }
    return 0;
  } catch (error) {
    io.stderr(`ally jobs ${parsed.sub}: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
