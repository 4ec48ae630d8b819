/**
 * The database drops Ally's connections mid-run (a failover, an operator's
 * `pg_terminate_backend`): a real `ally serve` process under read load keeps serving. A request
 * whose connection died answers 503 DATABASE_UNAVAILABLE; the pool opens new connections and
 * later requests succeed, without a restart.
 *
 * PostgreSQL only: SQLite is a file in the process, with no connection to lose.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Store } from "../../src/store/database.js";
import { POSTGRES_ADMIN_URL, testDatabases } from "../support/databases.js";
import {
  type AllyProcess,
  eventually,
  type SeededOwner,
  seedOwner,
  startAlly,
} from "./ally-process.js";

const ROUNDS = 4;
const CLIENTS = 6;
const READS = ["/api/v1/me", "/api/v1/members", "/api/v1/jobs", "/api/v1/candidates"];

const postgres = (await testDatabases()).find((d) => d.dialect === "postgres");

describe.skipIf(postgres === undefined)("losing database connections on PostgreSQL", () => {
  let store: Store;
  let url: string;
  let drop: () => Promise<void>;
  let owner: SeededOwner;
  let ally: AllyProcess | undefined;
  let admin: pg.Client;

  beforeAll(async () => {
    if (postgres === undefined) return;
    ({ store, url, drop } = await postgres.create());
    owner = await seedOwner(store);
    admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
    await admin.connect();
  }, 60_000);

  afterAll(async () => {
    await ally?.stop();
    await admin?.end();
    await drop?.();
  }, 60_000);

  /** Ends every server process connected to the test database; how many there were. */
  async function terminateConnections(): Promise<number> {
    const database = new URL(url).pathname.slice(1);
    const { rows } = await admin.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
        WHERE datname = $1 AND pid <> pg_backend_pid()`,
      [database],
    );
    return rows.filter((r) => r.ended).length;
  }

  it("keeps serving when its connections are terminated mid-request, and answers 503 meanwhile", async () => {
    ally = await startAlly({ DATABASE_URL: url });
    const running = ally;
    const statuses = new Map<number, number>();
    const unexpected: string[] = [];
    let succeeded = 0;
    let stop = false;

    const read = async (path: string) => {
      const response = await fetch(`${running.url}${path}`, {
        headers: { authorization: `Bearer ${owner.apiToken}` },
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json()) as { error?: { code: string } };
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status === 200) succeeded += 1;
      else if (response.status !== 503 || body.error?.code !== "DATABASE_UNAVAILABLE") {
        unexpected.push(`${path}: ${response.status} ${JSON.stringify(body)}`);
      }
    };
    const client = async (k: number) => {
      for (let i = k; !stop && running.alive(); i++) {
        await read(READS[i % READS.length] as string).catch((error: Error) => {
          unexpected.push(`${error.message}`);
        });
      }
    };
    const load = Array.from({ length: CLIENTS }, (_, k) => client(k));

    try {
      for (let round = 0; round < ROUNDS; round++) {
        // Let the reads get going on fresh connections, then cut them all.
        const before = succeeded;
        await eventually("reads to succeed", () => !running.alive() || succeeded >= before + 20);
        if (!running.alive()) break;
        expect(await terminateConnections()).toBeGreaterThan(0);
      }
      // Keep reading a little after the last cut.
      const after = succeeded;
      await eventually(
        "reads after the last cut",
        () => !running.alive() || succeeded >= after + 20,
      );
    } finally {
      stop = true;
      await Promise.all(load);
    }

    expect(running.alive(), running.stderr()).toBe(true);
    expect(unexpected).toEqual([]);
    // Some reads were in flight on a connection that was cut: they failed cleanly.
    expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
    // A later request succeeds without a restart, and health says so.
    const me = await fetch(`${running.url}/api/v1/me`, {
      headers: { authorization: `Bearer ${owner.apiToken}` },
    });
    expect(me.status).toBe(200);
    expect(((await me.json()) as { userId?: string }).userId).toBe(owner.actor.userId);
    expect((await fetch(`${running.url}/health`)).status).toBe(200);
    expect(running.stderr()).toMatch(/a database connection was lost/);
  }, 240_000);
});
