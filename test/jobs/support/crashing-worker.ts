/**
 * A worker process that claims one scheduled job and never finishes it: it prints
 * `claimed <id>` once its handler runs, then waits to be killed (SIGKILL, by
 * test/jobs/lease-queue.test.ts). Usage: node --import tsx crashing-worker.ts DATABASE_URL LEASE_MS
 */
import { systemClock } from "../../../src/clock.js";
import { runNextJob } from "../../../src/jobs/scheduled-jobs.js";
import { openStore } from "../../../src/store/database.js";

const [url, leaseMs] = process.argv.slice(2);
if (url === undefined || leaseMs === undefined) {
  process.stderr.write("usage: crashing-worker.ts DATABASE_URL LEASE_MS\n");
  process.exit(2);
}
const store = openStore(url);
await runNextJob({
  db: store.db,
  clock: systemClock,
  leaseMs: Number(leaseMs),
  handlers: {
    "crash-test": async (job) => {
      process.stdout.write(`claimed ${job.id}\n`);
      // Mid-job, forever: only SIGKILL ends this process (the timer keeps it alive).
      await new Promise(() => setInterval(() => undefined, 60_000));
    },
  },
});
process.stdout.write("nothing was due\n");
await store.close();
