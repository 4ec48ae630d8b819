/**
 * `ally calendar busy SOURCE --from INSTANT --to INSTANT [--zone IANA]`: the busy time Ally reads
 * from a calendar source (an .ics file, an ICS feed URL, a CalDAV collection), as JSON with UTC
 * instants, clipped to the range, merged and sorted. Thin: parse, ask the connector, render.
 *
 * Exit codes: 0 with JSON on stdout; 2 for a bad command line (option, instant, zone, source
 * URL); 1 when the source cannot be read (unreachable, refused, missing, not iCalendar). On
 * error, one line on stderr and nothing on stdout.
 */
import { Temporal } from "temporal-polyfill";
import { ConnectorError, type SourceEnv, sourceFor } from "../calendar/connectors/index.js";
import { isValidTimeZone } from "../engine/zone.js";
import type { SlotsIo } from "./slots.js";

export type CalendarIo = Pick<SlotsIo, "stdout" | "stderr">;

const USAGE = "ally calendar busy SOURCE --from INSTANT --to INSTANT [--zone IANA]";

class UsageError extends Error {}

interface BusyArgs {
  source: string;
  from: string;
  to: string;
  zone: string;
}

function parseBusyArgs(args: readonly string[]): BusyArgs {
  const values = new Map<string, string>();
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const match = /^--(from|to|zone)(?:=(.*))?$/.exec(arg);
    if (match !== null) {
      const name = match[1] as string;
      const value = match[2] ?? args[++i];
      if (value === undefined) throw new UsageError(`--${name} needs a value (${USAGE})`);
      if (values.has(name)) throw new UsageError(`--${name} is given twice`);
      values.set(name, value);
    } else if (arg.startsWith("-") && arg !== "-") {
      throw new UsageError(`unknown option "${arg}" (options: --from, --to, --zone)`);
    } else positional.push(arg);
  }
  if (positional.length !== 1) throw new UsageError(`give exactly one source: ${USAGE}`);
  const from = values.get("from");
  const to = values.get("to");
  if (from === undefined || to === undefined) {
    throw new UsageError(`--from and --to are required: ${USAGE}`);
  }
  return { source: positional[0] as string, from, to, zone: values.get("zone") ?? "UTC" };
}

/** An RFC 3339 instant with an offset or `Z`: `2026-03-02T09:00:00Z`, `2026-03-02T10:00+01:00`. */
function parseInstant(name: string, text: string): number {
  try {
    return Temporal.Instant.from(text).epochMilliseconds;
  } catch {
    throw new UsageError(
      `--${name} "${text}" is not an instant with an offset (example: 2026-03-02T09:00:00Z)`,
    );
  }
}

function instantText(epochMs: number): string {
  return Temporal.Instant.fromEpochMilliseconds(epochMs).toString();
}

/** Runs `ally calendar ...`; `env` holds the settings a source may need (CalDAV credentials). */
export async function calendarCommand(
  args: readonly string[],
  io: CalendarIo,
  env: SourceEnv,
): Promise<number> {
  const [subcommand, ...rest] = args;
  if (subcommand !== "busy") {
    io.stderr(
      subcommand === undefined
        ? `ally calendar: missing subcommand: ${USAGE}`
        : `ally calendar: unknown subcommand "${subcommand}": ${USAGE}`,
    );
    return 2;
  }
  let source: ReturnType<typeof sourceFor>;
  let range: { startEpochMs: number; endEpochMs: number };
  let zone: string;
  try {
    const parsed = parseBusyArgs(rest);
    range = {
      startEpochMs: parseInstant("from", parsed.from),
      endEpochMs: parseInstant("to", parsed.to),
    };
    if (range.endEpochMs <= range.startEpochMs) throw new UsageError("--to must be after --from");
    if (!isValidTimeZone(parsed.zone)) {
      throw new UsageError(
        `--zone "${parsed.zone}" is not an IANA time zone (example: Europe/Berlin)`,
      );
    }
    zone = parsed.zone;
    source = sourceFor(parsed.source, env);
    if (!source.ok) throw new UsageError(source.message);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr(`ally calendar busy: ${error.message}`);
    return 2;
  }
  try {
    const read = await source.source.busy(range, { zone });
    const output = {
      busy: read.busy.map((b) => ({
        start: instantText(b.startEpochMs),
        end: instantText(b.endEpochMs),
      })),
      source: source.source.label,
      warnings: read.warnings,
    };
    io.stdout(`${JSON.stringify(output, null, 2)}\n`);
    return 0;
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    io.stderr(`ally calendar busy: ${error.message}`);
    return 1;
  }
}
