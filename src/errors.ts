/**
 * Errors: a closed set of codes. Domain code returns or throws `AppError` with a code and, for
 * bad input, the field at fault; the web edge maps codes to HTTP statuses in one table
 * (src/web/errors.ts). Bugs and broken infrastructure are plain exceptions.
 */

export type ErrorCode =
  | "VALIDATION_FAILED"
  | "NOT_FOUND"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  /** The request conflicts with the current state in a way no more specific code names. */
  | "CONFLICT"
  | "SLOT_TAKEN"
  /** The interview request is not in a state that allows this (cancelled, completed, not yet offered). */
  | "REQUEST_NOT_OPEN"
  /** The booking changed since the caller read it (a stale reschedule, an answer to an old time). */
  | "BOOKING_CHANGED"
  /** No time satisfies every constraint; `detail` carries the engine's explanation. */
  | "NO_TIME_FITS"
  /** A calendar server could not be reached or refused the request; may succeed later. */
  | "CALENDAR_UNREACHABLE"
  /** A calendar server refused Ally's credentials (revoked grant, wrong password). */
  | "CALENDAR_AUTH_FAILED"
  /** No such calendar, feed or file at the address given. */
  | "CALENDAR_NOT_FOUND"
  /** A calendar answered with something that is not a calendar (not iCalendar, not CalDAV). */
  | "CALENDAR_INVALID"
  /** A calendar server asked Ally to slow down; `detail.retryAfterSeconds` says for how long. */
  | "CALENDAR_RATE_LIMITED"
  /** This Ally server has no OAuth client for the calendar provider (Google, Microsoft) asked for. */
  | "CALENDAR_PROVIDER_NOT_CONFIGURED"
  /** An account with this email address already exists. */
  | "EMAIL_TAKEN"
  /** The person invited is already a member of the organisation. */
  | "ALREADY_MEMBER"
  /** The change would leave the organisation without an owner. */
  | "LAST_OWNER"
  /** The object is still used by another (a pool by a loop template) and cannot be deleted. */
  | "IN_USE"
  /** The person was erased at their request; adding or contacting them again is refused. */
  | "PERSON_ERASED"
  /** A stored secret could not be opened (a missing or wrong master key, altered ciphertext). */
  | "SECRET_UNREADABLE"
  | "RATE_LIMITED"
  | "CSRF_FAILED"
  | "EMAIL_NOT_VERIFIED"
  | "INVALID_CREDENTIALS"
  | "SECOND_FACTOR_REQUIRED"
  | "TOKEN_INVALID"
  /** The database dropped or refused the connection; the same request may succeed shortly. */
  | "DATABASE_UNAVAILABLE";

export class AppError extends Error {
  readonly code: ErrorCode;
  /** The input field at fault (`email`, `sessions[1].durationMinutes`), when there is one. */
  readonly field: string | undefined;
  /** What the caller needs to go on, e.g. fresh options after SLOT_TAKEN; shown in API errors. */
  readonly detail: Record<string, unknown> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { field?: string; cause?: unknown; detail?: Record<string, unknown> } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = "AppError";
    this.code = code;
    this.field = options.field;
    this.detail = options.detail;
  }
}

export function invalid(field: string, message: string): AppError {
  return new AppError("VALIDATION_FAILED", message, { field });
}

export function notFound(what: string): AppError {
  return new AppError("NOT_FOUND", `${what} not found`);
}

export function forbidden(message = "you do not have permission to do that"): AppError {
  return new AppError("FORBIDDEN", message);
}

export function conflict(message: string): AppError {
  return new AppError("CONFLICT", message);
}

/** Every code, for tables and tests that must cover them all (checked against the union). */
export const ERROR_CODES = [
  "VALIDATION_FAILED",
  "NOT_FOUND",
  "UNAUTHENTICATED",
  "FORBIDDEN",
  "CONFLICT",
  "SLOT_TAKEN",
  "REQUEST_NOT_OPEN",
  "BOOKING_CHANGED",
  "NO_TIME_FITS",
  "CALENDAR_UNREACHABLE",
  "CALENDAR_AUTH_FAILED",
  "CALENDAR_NOT_FOUND",
  "CALENDAR_INVALID",
  "CALENDAR_RATE_LIMITED",
  "CALENDAR_PROVIDER_NOT_CONFIGURED",
  "EMAIL_TAKEN",
  "ALREADY_MEMBER",
  "LAST_OWNER",
  "IN_USE",
  "PERSON_ERASED",
  "SECRET_UNREADABLE",
  "RATE_LIMITED",
  "CSRF_FAILED",
  "EMAIL_NOT_VERIFIED",
  "INVALID_CREDENTIALS",
  "SECOND_FACTOR_REQUIRED",
  "TOKEN_INVALID",
  "DATABASE_UNAVAILABLE",
] as const satisfies readonly ErrorCode[];

/** Fails to compile when a code of the union is missing from ERROR_CODES. */
const everyCodeListed: Record<Exclude<ErrorCode, (typeof ERROR_CODES)[number]>, never> = {};
void everyCodeListed;
