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
