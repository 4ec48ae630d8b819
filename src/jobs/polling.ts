/**
 * The loop every background worker runs: take one unit of work at a time while there is some,
 * then wait `pollMs` and look again. `drain` runs until nothing is left (tests, and a nudge after
 * a change); `stop` lets the unit in hand finish. Units claim their work with leases in the
 * database, so any number of processes may run the same loop.
 */
export interface RunningWorker {
  /** Works until nothing more is due. */
  drain(): Promise<void>;
  /** Finishes the unit in hand and stops. */
  stop(): Promise<void>;
}

export function startPolling(
  /** Does one unit of work; false when there was none. */
  step: () => Promise<boolean>,
  options: { pollMs: number; name: string; log?: (line: string) => void; onStop?: () => void },
): RunningWorker {
  let stopped = false;
  let running: Promise<void> = Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  const drain = async () => {
    while (!stopped && (await step())) {
      // keep going while work is due
    }
  };
  const tick = () => {
    running = running
      .then(drain)
      .catch((error) => options.log?.(`ally: ${options.name}: ${(error as Error).message}`))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.pollMs);
      });
  };
  tick();
  return {
    drain: () => {
      running = running.then(drain);
      return running;
    },
    async stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      await running;
      options.onStop?.();
    },
  };
}
