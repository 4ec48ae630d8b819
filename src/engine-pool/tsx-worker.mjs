// Starts an engine worker from TypeScript sources (tests, tsx): registers tsx's loader in this
// thread, then loads the worker module named by workerData. Compiled code (dist/) does not
// need it: there the pool starts worker.js directly.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
