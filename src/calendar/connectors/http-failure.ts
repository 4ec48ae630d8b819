/**
 * HTTP failures of calendar servers as connector errors. Messages name the host only: a feed's
 * path is its secret, and URLs may carry user names.
 */
import { retryAfterMs } from "./http.js";
import { ConnectorError } from "./types.js";

/** A `fetch` that rejected: a timeout, a refused connection, a name that does not resolve. */
export function networkFailure(where: string, error: unknown, timeoutMs: number): ConnectorError {
  // The guarded client's refusal of a private address is already a connector error.
  if (error instanceof ConnectorError) return error;
  const name = (error as { name?: unknown }).name;
  if (name === "TimeoutError" || name === "AbortError") {
    return new ConnectorError(
      "CALENDAR_UNREACHABLE",
      `${where}: no answer within ${timeoutMs / 1000} s`,
      { cause: error },
    );
  }
  // undici puts the system error (ECONNREFUSED, ENOTFOUND, ...) in `cause`; its message may
  // repeat the address, so only the code is shown.
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = typeof cause?.code === "string" ? ` (${cause.code})` : "";
  return new ConnectorError("CALENDAR_UNREACHABLE", `${where}: cannot be reached${code}`, {
    cause: error,
  });
}

/**
 * A status that is not success: 401/403 wrong credentials, 404/410 gone, 429 too many requests
 * (with Retry-After when the server sent it), 5xx and anything else unreachable.
 */
export function statusFailure(where: string, response: Response): ConnectorError {
  const status = response.status;
  const http = `HTTP ${status}`;
  if (status === 401 || status === 403) {
    return new ConnectorError(
      "CALENDAR_AUTH_FAILED",
      `${where}: access refused, wrong user name, password or address (${http})`,
    );
  }
  if (status === 404 || status === 410) {
    return new ConnectorError(
      "CALENDAR_NOT_FOUND",
      `${where}: no calendar at that address (${http})`,
    );
  }
  if (status === 429) {
    const retryAfter = response.headers.get("retry-after");
    const when = retryAfter === null ? "" : `, retry after ${retryAfter}`;
    const waitMs = retryAfterMs(retryAfter, Date.now());
    return new ConnectorError(
      "CALENDAR_RATE_LIMITED",
      `${where}: too many requests (${http}${when})`,
      waitMs === undefined ? {} : { retryAfterMs: waitMs },
    );
  }
  if (status >= 500) {
    return new ConnectorError("CALENDAR_UNREACHABLE", `${where}: server error (${http})`);
  }
  return new ConnectorError("CALENDAR_UNREACHABLE", `${where}: unexpected answer (${http})`);
}
