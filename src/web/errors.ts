/** The one mapping from error codes to HTTP statuses. Exhaustive: a new code must be placed. */
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../errors.js";

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
