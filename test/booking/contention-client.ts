/**
 * One OS process of the contention tests: opens its own store on the shared database and runs
 * many booking clients at once, each booking its request (trying one fresh option again after
 * SLOT_TAKEN). Prints one JSON line: every client's outcome, or the unexpected error.
 *
 * Input (argv[2], JSON): { url, nowEpochMs, actor, clients: [{ requestId, pick, key }] }.
 */
import type { Actor } from "../../src/accounts/service.js";
import { calendarMembers } from "../../src/app/calendar-members.js";
import type { Option } from "../../src/booking/schemas.js";
import { createBookingService } from "../../src/booking/service.js";
import { createCalendarService } from "../../src/calendar/connections.js";
import { fixedClock } from "../../src/clock.js";
import { AppError } from "../../src/errors.js";
import { singleKeyring } from "../../src/secrets/keyring.js";
import { createSecretStore } from "../../src/secrets/secret-store.js";
import { openStore } from "../../src/store/database.js";

interface Client {
  requestId: string;
  /** Which of the request's options to try first. */
  pick: number;
  key: string;
}

export type Outcome =
  | { requestId: string; key: string; result: "booked"; bookingId: string; attempts: number }
  | { requestId: string; key: string; result: "taken"; attempts: number }
  | { requestId: string; key: string; result: "error"; message: string };

const input = JSON.parse(process.argv[2] ?? "{}") as {
  url: string;
  nowEpochMs: number;
  actor: Actor;
  clients: Client[];
};

const store = openStore(input.url);
const clock = fixedClock(input.nowEpochMs);
const calendars = createCalendarService({
  db: store.db,
  members: calendarMembers(store.db),
  clock,
  box: createSecretStore({ db: store.db, keyring: singleKeyring(Buffer.alloc(32, 7)), clock }),
  syncIntervalMs: 15 * 60_000,
});
const booking = createBookingService({ db: store.db, dialect: store.dialect, clock, calendars });

async function run(client: Client): Promise<Outcome> {
  const { requestId, key } = client;
  try {
    const { options } = await booking.options(input.actor, requestId);
    let option: Option | undefined = options[client.pick % Math.max(options.length, 1)];
    for (let attempt = 1; attempt <= 2 && option !== undefined; attempt++) {
      try {
        const result = await booking.book(input.actor, requestId, {
          optionId: option.id,
          idempotencyKey: `${key}-${attempt}`,
        });
        return {
          requestId,
          key,
          result: "booked",
          bookingId: result.booking.id,
          attempts: attempt,
        };
      } catch (error) {
        if (!(error instanceof AppError) || error.code !== "SLOT_TAKEN") throw error;
        option = (error.detail?.options as Option[] | undefined)?.[0];
      }
    }
    return { requestId, key, result: "taken", attempts: 2 };
  } catch (error) {
    // A booked request refused by its lock holder's booking is a clean conflict too.
    if (
      error instanceof AppError &&
      (error.code === "REQUEST_NOT_OPEN" || error.code === "BOOKING_CHANGED")
    ) {
      return { requestId, key, result: "taken", attempts: 1 };
    }
    return { requestId, key, result: "error", message: String((error as Error).stack ?? error) };
  }
}

const outcomes = await Promise.all(input.clients.map(run));
await store.close();
process.stdout.write(`${JSON.stringify(outcomes)}\n`);
