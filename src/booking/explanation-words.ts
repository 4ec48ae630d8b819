/**
 * "Why no time fits", in the words a recruiter uses: people by name, sessions by their place
 * and title (never an id, never zero-based), days and times in the request's zone, and a
 * headline that ends with the one change that would make times fit. Pure: the engine's
 * explanation and the names come in, sentences go out.
 *
 * @example
 *   explanationInWords(explanation, { names, sessions, timeZone: "Europe/London" }).headline
 *   // "No time fits. The change that would help most: ask Dana Lee to move other meetings
 *   //  (12 times, the first Tue 1 Dec, 15:00)."
 */
import { Temporal } from "temporal-polyfill";
import type { z } from "zod";
import { longDay } from "./present.js";
import type { explanationOutput } from "./schemas.js";

export type ExplanationData = z.infer<typeof explanationOutput>;
type BlockerData = ExplanationData["blockers"][number];
type RelaxationData = ExplanationData["relaxations"][number];

export interface ExplanationContext {
  /** Display names by user id; an unknown id reads as "a former member". */
  names: ReadonlyMap<string, string>;
  /** The request's sessions in order: the engine's session "0" is the first. */
  sessions: readonly { name: string }[];
  /** The zone days and times are shown in. */
  timeZone: string;
}

export interface ExplanationWords {
  /** One sentence: how many times fit, or that none does and the change that helps most. */
  headline: string;
  /** What rules times out, tightest first. */
  reasons: string[];
  /** Each single change that would make times fit, most times first. */
  changes: string[];
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function nameOf(ctx: ExplanationContext, userId: string | undefined): string {
  if (userId === undefined) return "someone";
  return ctx.names.get(userId) ?? "a former member";
}

/** `"Technical"` for a one-session interview, `session 2 ("Technical")` in a loop. */
function sessionLabel(ctx: ExplanationContext, sessionId: string | undefined): string {
  const index = Number(sessionId);
  const session = Number.isInteger(index) ? ctx.sessions[index] : undefined;
  if (session === undefined) return "a session";
  if (ctx.sessions.length === 1) return `"${session.name}"`;
  return `session ${index + 1} ("${session.name}")`;
}

/** "Tue 1 Dec, 15:00" in the zone. */
function localStart(rfc3339: string, zone: string): string {
  const at = Temporal.Instant.from(rfc3339).toZonedDateTimeISO(zone);
  const day = longDay(at.toPlainDate()).split(" ");
  const time = `${String(at.hour).padStart(2, "0")}:${String(at.minute).padStart(2, "0")}`;
  return `${day[0]?.slice(0, 3)} ${day[1]} ${day[2]?.slice(0, 3)}, ${time}`;
}

/** The local day of an instant: "Friday 11 December 2026". */
function dayOf(rfc3339: string, zone: string): string {
  return longDay(Temporal.Instant.from(rfc3339).toZonedDateTimeISO(zone).toPlainDate());
}

function duration(minutes: number): string {
  if (minutes % 60 === 0 && minutes >= 60) return plural(minutes / 60, "hour");
  return plural(minutes, "minute");
}

function reason(ctx: ExplanationContext, blocker: BlockerData): string {
  const counted =
    blocker.outOf === undefined
      ? plural(blocker.startsRuledOut, "possible start")
      : `${blocker.startsRuledOut} of ${plural(blocker.outOf, "possible start")}`;
  const who = `${nameOf(ctx, blocker.participant)} (${sessionLabel(ctx, blocker.session)})`;
  switch (blocker.constraint) {
    case "notice":
      return `The minimum notice rules out ${counted}.`;
    case "candidateWindow":
      return `The candidate's available times rule out ${counted}.`;
    case "workingHours":
      return `${who} is outside their working hours at ${counted}.`;
    case "busy":
      return `${who} is busy at ${counted}.`;
    case "limits":
      return `${who} has reached their interview limit on the days of ${counted}.`;
    case "pool":
      return blocker.message.replace(/^Session "[^"]*"/, () => {
        const label = sessionLabel(ctx, blocker.session);
        return label.charAt(0).toUpperCase() + label.slice(1);
      });
    default:
      return blocker.message;
  }
}

function change(ctx: ExplanationContext, relaxation: RelaxationData): string {
  const name = nameOf(ctx, relaxation.participant);
  switch (relaxation.constraint) {
    case "notice":
      return relaxation.noticeMinutes === undefined || relaxation.noticeMinutes === 0
        ? "drop the minimum notice"
        : `allow ${duration(relaxation.noticeCutMinutes ?? 0)} less notice`;
    case "range":
      // To the day the first new time falls on: the window through that day holds it.
      return relaxation.firstStart === undefined
        ? "widen the window"
        : `widen the window to ${dayOf(relaxation.firstStart, ctx.timeZone)}`;
    case "candidateWindow":
      return "ask the candidate for other times";
    case "buffer":
      return "drop the buffer between meetings";
    case "workingHours":
      return `ask ${name} to work outside their hours`;
    case "busy":
      return `ask ${name} to move other meetings`;
    case "limits":
      return `raise ${name}'s interview limits`;
    default:
      return relaxation.change;
  }
}

function withTimes(ctx: ExplanationContext, relaxation: RelaxationData): string {
  const first =
    relaxation.firstStart === undefined
      ? ""
      : `, the first ${localStart(relaxation.firstStart, ctx.timeZone)}`;
  return `${change(ctx, relaxation)} (${plural(relaxation.feasibleStarts, "time")}${first})`;
}

export function explanationInWords(
  explanation: ExplanationData,
  ctx: ExplanationContext,
): ExplanationWords {
  const reasons = explanation.blockers.map((b) => reason(ctx, b));
  const changes = explanation.relaxations.map((r) => withTimes(ctx, r));
  let headline: string;
  if (explanation.feasibleStarts > 0) {
    headline = `${plural(explanation.feasibleStarts, "start")} fit every rule.`;
  } else if (changes[0] !== undefined) {
    headline = `No time fits. The change that would help most: ${changes[0]}.`;
  } else {
    headline = "No time fits, and no single change is enough: see what rules times out below.";
  }
  return { headline, reasons, changes };
}
