/**
 * Drives one scenario with autocannon against one or more Ally processes on loopback: the
 * connections are split between the processes (as a round-robin load balancer would), every
 * request comes from one shared list (each booking is sent once), and every response's status
 * and latency is recorded here, so the percentiles are over all processes together. Bounded by
 * the number of requests and by a time limit, whichever comes first.
 */
import autocannon, { type RawRequest } from "autocannon";
import { percentile, round } from "../measure.js";

export interface Scenario {
  name: string;
  connections: number;
  /** At most this many requests… */
  amount: number;
  /** …and at most this long. */
  maxSeconds: number;
  /** The i-th request (called once per request sent; wraps around when it runs out). */
  request(i: number): RawRequest;
}

export interface ScenarioResult {
  name: string;
  connections: number;
  requests: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Connection errors and timeouts. */
  errors: number;
  /** Responses by status. */
  statuses: Record<string, number>;
  /** Resident set size of each server process right after, MB. */
  rssMb: number[];
}

export async function drive(
  urls: readonly string[],
  scenario: Scenario,
  rssMb: () => number[],
  onTick: (done: number) => void = () => {},
): Promise<ScenarioResult> {
  let next = 0;
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let errors = 0;
  const started = performance.now();
  // From the start to the last response (autocannon itself ends on a one-second tick).
  let lastResponse = started;
  const connections = Math.max(urls.length, scenario.connections);
  const split = (total: number, i: number) =>
    Math.floor(total / urls.length) + (i < total % urls.length ? 1 : 0);
  const instances = urls.map((url, i) => {
    const perConnections = split(connections, i);
    const instance = autocannon({
      url,
      connections: perConnections,
      amount: Math.max(perConnections, split(scenario.amount, i)),
      timeout: 30,
      requests: [
        {
          setupRequest: (defaults) => {
            const request = scenario.request(next);
            next += 1;
            return {
              ...defaults,
              ...request,
              headers: { ...defaults.headers, ...request.headers },
            };
          },
        },
      ],
    });
    instance.on("response", (_client: unknown, status: number, _bytes: number, ms: number) => {
      lastResponse = performance.now();
      latencies.push(ms);
      statuses[status] = (statuses[status] ?? 0) + 1;
    });
    instance.on("reqError", () => {
      errors += 1;
    });
    return instance;
  });
  const ticker = setInterval(() => onTick(latencies.length), 500);
  const limit = setTimeout(() => {
    for (const instance of instances) instance.stop();
  }, scenario.maxSeconds * 1000);
  try {
    await Promise.all(instances);
  } finally {
    clearInterval(ticker);
    clearTimeout(limit);
  }
  const seconds = (lastResponse - started) / 1000;
  return {
    name: scenario.name,
    connections,
    requests: latencies.length,
    seconds: round(seconds, 2),
    perSecond: round(latencies.length / seconds, 1),
    p50Ms: round(percentile(latencies, 50), 2),
    p99Ms: round(percentile(latencies, 99), 2),
    errors,
    statuses,
    rssMb: rssMb(),
  };
}
