/**
 * cc intake: from a recruiter's email with Ally in cc (or forwarded to Ally), what interview to
 * arrange: the candidate (the message's To, or the forwarded message's sender), the job and
 * interviewers named in the text (or the recruiter's defaults), the duration and the window.
 * When anything is missing or ambiguous, one short private question to the recruiter instead.
 * Pure: no clock (`now` is an argument), no database.
 */
import { Temporal } from "temporal-polyfill";
import { isOwnAddress } from "./loop-safety.js";

export type IntakeMail = {
  fromAddress: string;
  to: { address: string; name: string }[];
  cc: { address: string; name: string }[];
  subject: string;
  text: string;
};

export type IntakeContext = {
  /** Ally's own addresses (and `@domain` for its reply domain). */
  ownAddresses: string[];
  jobs: { id: string; title: string }[];
  /** The organisation's members who may interview. */
  members: { userId: string; name: string; email: string }[];
  defaults: {
    jobId: string | null;
    interviewerIds: string[];
    durationMinutes: number;
    /** The window starts a day from now and lasts this many days. */
    windowDays: number;
  };
  now: Temporal.Instant;
  timeZone: string;
};

export type IntakePlan = {
  candidate: { email: string; name: string };
  jobId: string;
  interviewerIds: string[];
  durationMinutes: number;
  windowStart: string;
  windowEnd: string;
};

export type IntakeResult =
  | { ok: true; plan: IntakePlan; notes: string[] }
  | { ok: false; missing: string[]; question: string };

const FORWARD_MARKERS = [
  /^-{2,}\s*Forwarded message\s*-{2,}$/im,
  /^Begin forwarded message:$/im,
  /^-{2,}\s*Original Message\s*-{2,}$/im,
];

/** The forwarded part of a message: its first header block's From and To. */
function forwardedParties(text: string): { from: string | null; name: string } | null {
  const marker = FORWARD_MARKERS.map((m) => m.exec(text)).find((m) => m !== null);
  if (marker === undefined || marker === null) return null;
  const block = text.slice(marker.index, marker.index + 1500);
  const from = /^\s*From:\s*(?:"?([^"<\n]*?)"?\s*)?<?([^\s<>@]+@[^\s<>]+?)>?\s*$/im.exec(block);
  if (from === null) return null;
  return { from: (from[2] ?? "").toLowerCase(), name: (from[1] ?? "").trim() };
}

const WORD = (name: string) =>
  new RegExp(`(^|[^\\p{L}])${name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}($|[^\\p{L}])`, "iu");

function namedJobs(context: IntakeContext, text: string): IntakeContext["jobs"] {
  return context.jobs.filter((job) => job.title.trim() !== "" && WORD(job.title.trim()).test(text));
}

/** Members named in the text: by full name, or by a first name only one member has. */
function namedMembers(context: IntakeContext, text: string, recruiter: string) {
  const found = new Map<string, string>();
  const ambiguous: string[] = [];
  const firstNames = new Map<string, string[]>();
  for (const member of context.members) {
    const first = member.name.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
    if (first.length >= 2) firstNames.set(first, [...(firstNames.get(first) ?? []), member.userId]);
  }
  for (const member of context.members) {
    if (member.email.toLowerCase() === recruiter) continue;
    if (member.name.trim().includes(" ") && WORD(member.name.trim()).test(text)) {
      found.set(member.userId, member.name);
    }
  }
  for (const [first, ids] of firstNames) {
    if (!WORD(first).test(text)) continue;
    const candidates = ids.filter(
      (id) => context.members.find((m) => m.userId === id)?.email.toLowerCase() !== recruiter,
    );
    if (candidates.some((id) => found.has(id))) continue;
    if (candidates.length === 1 && candidates[0] !== undefined) {
      const member = context.members.find((m) => m.userId === candidates[0]);
      if (member !== undefined && /\b(with|meet|interview(er)?s?|and|panel)\b/i.test(text)) {
        found.set(member.userId, member.name);
      }
    } else if (candidates.length > 1) {
      ambiguous.push(first);
    }
  }
  return { ids: [...found.keys()], ambiguous };
}

/** "45 minutes", "45-minute", "an hour", "1.5 hours", "90 min". */
export function durationIn(text: string): number | null {
  const minutes = /\b(\d{2,3})[\s-]*(?:minutes?|mins?)\b/i.exec(text);
  if (minutes !== null) return Number(minutes[1]);
  const hours = /\b(\d(?:\.\d)?|an?|one|two)[\s-]*(?:hours?|hrs?)\b/i.exec(text);
  if (hours === null) return null;
  const word = (hours[1] ?? "").toLowerCase();
  const count =
    word === "a" || word === "an" || word === "one" ? 1 : word === "two" ? 2 : Number(word);
  return Number.isFinite(count) && count > 0 ? Math.round(count * 60) : null;
}

/** The window the text asks for ("this week", "next week", "within 10 days"), or null. */
export function windowIn(
  text: string,
  now: Temporal.Instant,
  timeZone: string,
): { start: Temporal.Instant; end: Temporal.Instant } | null {
  const today = now.toZonedDateTimeISO(timeZone).toPlainDate();
  const at = (date: Temporal.PlainDate) =>
    date.toZonedDateTime({ timeZone, plainTime: Temporal.PlainTime.from("00:00") }).toInstant();
  if (/\bnext week\b/i.test(text)) {
    const monday = today.add({ days: 8 - today.dayOfWeek });
    return { start: at(monday), end: at(monday.add({ days: 5 })) };
  }
  if (/\bthis week\b/i.test(text)) {
    const saturday = today.add({ days: 6 - today.dayOfWeek });
    return { start: now, end: at(saturday.dayOfWeek > 0 ? saturday : today.add({ days: 1 })) };
  }
  const days = /\bwithin (?:the next )?(\d{1,2}) days\b/i.exec(text);
  if (days !== null) return { start: now, end: now.add({ hours: 24 * Number(days[1]) }) };
  const weeks = /\b(?:within|in|over) the next (two|three|2|3) weeks\b/i.exec(text);
  if (weeks !== null) {
    const count = { two: 2, three: 3, "2": 2, "3": 3 }[(weeks[1] ?? "").toLowerCase()] ?? 2;
    return { start: now, end: now.add({ hours: 24 * 7 * count }) };
  }
  return null;
}

/**
 * What interview the recruiter's email asks for, or the one question to ask them.
 * @example intake(mail, context) // { ok: true, plan: { candidate, jobId, ... }, notes: [] }
 */
export function intake(mail: IntakeMail, context: IntakeContext): IntakeResult {
  const recruiter = mail.fromAddress.trim().toLowerCase();
  const text = `${mail.subject}\n${mail.text}`;
  const missing: string[] = [];
  const notes: string[] = [];
  const memberEmails = new Set(context.members.map((m) => m.email.toLowerCase()));
  const outsiders = mail.to.filter(
    (r) =>
      !isOwnAddress(r.address, context.ownAddresses) &&
      r.address.toLowerCase() !== recruiter &&
      !memberEmails.has(r.address.toLowerCase()),
  );
  let candidate: IntakePlan["candidate"] | null = null;
  if (outsiders.length === 1 && outsiders[0] !== undefined) {
    candidate = { email: outsiders[0].address.toLowerCase(), name: outsiders[0].name };
  } else if (outsiders.length > 1) {
    missing.push(
      `who the candidate is (the email went to ${outsiders.map((o) => o.address).join(", ")})`,
    );
  } else {
    const forwarded = forwardedParties(mail.text);
    if (
      forwarded?.from &&
      forwarded.from !== recruiter &&
      !memberEmails.has(forwarded.from) &&
      !isOwnAddress(forwarded.from, context.ownAddresses)
    ) {
      candidate = { email: forwarded.from, name: forwarded.name };
      notes.push("candidate taken from the forwarded message's sender");
    } else {
      missing.push("who the candidate is (put them in To, or forward their email)");
    }
  }
  const jobs = namedJobs(context, text);
  let jobId: string | null = null;
  if (jobs.length === 1 && jobs[0] !== undefined) jobId = jobs[0].id;
  else if (jobs.length > 1) missing.push(`which job (${jobs.map((j) => j.title).join(" or ")})`);
  else if (context.defaults.jobId !== null) {
    jobId = context.defaults.jobId;
    notes.push("job: your default");
  } else missing.push("which job the interview is for");
  const named = namedMembers(context, mail.text, recruiter);
  let interviewerIds = named.ids;
  if (named.ambiguous.length > 0 && interviewerIds.length === 0) {
    missing.push(`which interviewer you mean by ${named.ambiguous.join(", ")}`);
  } else if (interviewerIds.length === 0) {
    interviewerIds = context.defaults.interviewerIds;
    if (interviewerIds.length === 0) missing.push("who should interview");
    else notes.push("interviewers: your defaults");
  }
  const durationMinutes = durationIn(text) ?? context.defaults.durationMinutes;
  const window = windowIn(text, context.now, context.timeZone) ?? {
    start: context.now.add({ hours: 24 }),
    end: context.now.add({ hours: 24 * (1 + context.defaults.windowDays) }),
  };
  if (missing.length > 0 || candidate === null || jobId === null) {
    return { ok: false, missing, question: questionFor(missing) };
  }
  return {
    ok: true,
    notes,
    plan: {
      candidate,
      jobId,
      interviewerIds,
      durationMinutes,
      windowStart: window.start.toString(),
      windowEnd: window.end.toString(),
    },
  };
}

/** One short private email: what Ally needs before it writes to the candidate. */
export function questionFor(missing: readonly string[]): string {
  const list = missing.map((m) => `- ${m}`).join("\n");
  return `Before I write to the candidate, please tell me:\n${list}\n\nReply to this email and I'll take it from there.`;
}
