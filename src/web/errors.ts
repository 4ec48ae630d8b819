/**
 * The one mapping from error codes to HTTP statuses, used by the API and the pages alike.
 * Exhaustive: a new code must be placed. Errors of the calendar connectors and of the secrets
 * store are folded into the same codes at this boundary (`toAppError`), so every answer Ally
 * gives names what happened with one closed set of codes.
 */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { ConnectorError, type ConnectorErrorCode } from "../calendar/connectors/types.js";
import { AppError, type ErrorCode } from "../errors.js";
import { SecretsError } from "../secrets/errors.js";

export const HTTP_STATUS: Record<ErrorCode, ContentfulStatusCode> = {
  VALIDATION_FAILED: 422,
  NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  CONFLICT: 409,
  SLOT_TAKEN: 409,
  REQUEST_NOT_OPEN: 409,
  BOOKING_CHANGED: 409,
  NO_TIME_FITS: 409,
  CALENDAR_UNREACHABLE: 502,
  CALENDAR_AUTH_FAILED: 502,
  CALENDAR_NOT_FOUND: 502,
  CALENDAR_INVALID: 502,
  CALENDAR_RATE_LIMITED: 503,
  /** Conflicts with how this server is set up; no retry helps until an administrator acts. */
  CALENDAR_PROVIDER_NOT_CONFIGURED: 409,
  EMAIL_TAKEN: 409,
  ALREADY_MEMBER: 409,
  LAST_OWNER: 409,
  IN_USE: 409,
  PERSON_ERASED: 409,
  SECRET_UNREADABLE: 500,
  RATE_LIMITED: 429,
  CSRF_FAILED: 403,
  EMAIL_NOT_VERIFIED: 403,
  INVALID_CREDENTIALS: 401,
  SECOND_FACTOR_REQUIRED: 401,
  TOKEN_INVALID: 400,
  DATABASE_UNAVAILABLE: 503,
};

/** The JSON body of every API error. */
export interface ErrorBody {
  error: {
    code: ErrorCode | "INTERNAL";
    message: string;
    field?: string;
    detail?: Record<string, unknown>;
  };
}

/** Connector codes are already AppError codes: the union names them too. */
const CONNECTOR_CODES: Record<ConnectorErrorCode, ErrorCode> = {
  CALENDAR_UNREACHABLE: "CALENDAR_UNREACHABLE",
  CALENDAR_AUTH_FAILED: "CALENDAR_AUTH_FAILED",
  CALENDAR_NOT_FOUND: "CALENDAR_NOT_FOUND",
  CALENDAR_INVALID: "CALENDAR_INVALID",
  CALENDAR_RATE_LIMITED: "CALENDAR_RATE_LIMITED",
};

/**
 * An error of a calendar connector or of the secrets store as an AppError with its own code;
 * an AppError as it is; anything else (a bug, broken infrastructure) unchanged. A secrets
 * failure keeps its details (key versions, row ids) for the log, not for the person.
 */
export function toAppError(error: unknown): unknown {
  if (error instanceof ConnectorError) {
    const detail =
      error.retryAfterMs === undefined
        ? undefined
        : { retryAfterSeconds: Math.ceil(error.retryAfterMs / 1000) };
    return new AppError(CONNECTOR_CODES[error.code], error.message, {
      cause: error,
      ...(detail === undefined ? {} : { detail }),
    });
  }
  if (error instanceof SecretsError) {
    return new AppError(
      "SECRET_UNREADABLE",
      "A stored secret could not be opened. An administrator must check Ally's master keys.",
      { cause: error },
    );
  }
  return error;
}

/** The HTTP status of an expected error; 500 for anything that is not one. */
export function statusOf(error: unknown): ContentfulStatusCode {
  const known = toAppError(error);
  return known instanceof AppError ? HTTP_STATUS[known.code] : 500;
}
