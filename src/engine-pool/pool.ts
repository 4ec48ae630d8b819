/**
 * A pool of worker threads that run the slot engine, so that one costly options request never
 * stalls the event loop that serves every other request. Problems and answers cross as plain
 * data (structured clone). Each worker takes one problem at a time; the others wait in a queue,
 * first come first served. A worker that dies fails its problem and is replaced.
 *
 * From compiled code (dist/) the worker is `worker.js` beside this file; from TypeScript sources
 * (tests, tsx) it is `worker.ts`, loaded by `tsx-worker.mjs`, which registers tsx's loader in the
 * thread first.
 */
import { Worker } from "node:worker_threads";
import type { OptionsAnswer } from "../engine/answer.js";
import type { EngineProblem } from "../engine/types.js";

export interface EnginePool {
  /** The engine's answer for a problem, computed on a worker thread. */
  options(problem: EngineProblem, maxSteps?: number): Promise<OptionsAnswer>;
  /** Stops every worker; problems not yet answered fail. */
  close(): Promise<void>;
}

interface Pending {
  id: number;
  problem: EngineProblem;
  maxSteps: number | undefined;
  resolve(answer: OptionsAnswer): void;
  reject(error: Error): void;
}

interface Slot {
  worker: Worker;
  job: Pending | undefined;
}

type Reply = { id: number; answer: OptionsAnswer } | { id: number; error: string };

function spawnWorker(): Worker {
  const fromSources = import.meta.url.endsWith(".ts");
  if (!fromSources) return new Worker(new URL("./worker.js", import.meta.url));
  return new Worker(new URL("./tsx-worker.mjs", import.meta.url), {
    workerData: { entry: new URL("./worker.ts", import.meta.url).href },
  });
}

/**
 * Starts `size` engine workers (at least one).
 * @example const pool = createEnginePool({ size: 2 }); await pool.options(problem)
 */
export function createEnginePool(options: { size: number }): EnginePool {
  const size = Math.max(1, Math.floor(options.size));
  const queue: Pending[] = [];
  const slots: Slot[] = [];
  let nextId = 1;
  let closed = false;

  const dispatch = (): void => {
    for (const slot of slots) {
      if (slot.job !== undefined) continue;
      const job = queue.shift();
      if (job === undefined) return;
      slot.job = job;
      slot.worker.postMessage({ id: job.id, problem: job.problem, maxSteps: job.maxSteps });
    }
  };

  const start = (slot: Slot): void => {
    slot.worker.on("message", (reply: Reply) => {
      const job = slot.job;
      if (job === undefined || job.id !== reply.id) return;
      slot.job = undefined;
      if ("answer" in reply) job.resolve(reply.answer);
      else job.reject(new Error(`engine worker failed: ${reply.error}`));
      dispatch();
    });
    const fail = (error: Error): void => {
      const job = slot.job;
      slot.job = undefined;
      job?.reject(error);
      if (closed) return;
      // Replace the dead worker and carry on with the queue.
      slot.worker.removeAllListeners();
      slot.worker = spawnWorker();
      start(slot);
      dispatch();
    };
    slot.worker.on("error", fail);
    slot.worker.on("exit", (code) => {
      if (!closed) fail(new Error(`engine worker exited with code ${code}`));
    });
  };

  for (let i = 0; i < size; i++) {
    const slot: Slot = { worker: spawnWorker(), job: undefined };
    start(slot);
    slots.push(slot);
  }

  return {
    options(problem, maxSteps) {
      if (closed) return Promise.reject(new Error("the engine pool is closed"));
      return new Promise<OptionsAnswer>((resolve, reject) => {
        queue.push({ id: nextId++, problem, maxSteps, resolve, reject });
        dispatch();
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      const stopped = new Error("the engine pool is closed");
      for (const job of queue.splice(0)) job.reject(stopped);
      await Promise.all(
        slots.map(async (slot) => {
          slot.job?.reject(stopped);
          slot.job = undefined;
          await slot.worker.terminate();
        }),
      );
    },
  };
}
