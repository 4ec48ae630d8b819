/**
 * One engine worker thread: answers `{ id, problem }` messages with `{ id, answer }` (or
 * `{ id, error }`), one at a time. The engine is pure, so nothing else is needed here.
 */
import { parentPort } from "node:worker_threads";
import { answerOptions } from "../engine/answer.js";
import type { EngineProblem } from "../engine/types.js";

interface Job {
  id: number;
  problem: EngineProblem;
  maxSteps?: number;
}

parentPort?.on("message", (job: Job) => {
  try {
    parentPort?.postMessage({ id: job.id, answer: answerOptions(job.problem, job.maxSteps) });
  } catch (error) {
    parentPort?.postMessage({ id: job.id, error: String((error as Error)?.stack ?? error) });
  }
});
