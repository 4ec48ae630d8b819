/**
 * HTTP for calendar connectors: one small wrapper over the global `fetch` that every provider
 * connector (Google, Microsoft) shares.
 *
 * - Each attempt has a timeout; the number of attempts is bounded.
 * - 429 is always retried (the server did not act on the request). 5xx, timeouts and network
 *   failures are retried only for requests marked `idempotent` (reads, and writes that carry
 *   an idempotency key), so a create is never repeated blindly.
 * - Waits are exponential backoff with full jitter (AWS architecture blog, "Exponential Backoff
 *   And Jitter"): `random() * min(maxDelayMs, baseDelayMs * 2^(attempt - 1))`. A `Retry-After`
 *   header (RFC 9110 10.2.3: delay-seconds or an HTTP-date) replaces the computed wait; one
 *   longer than `maxRetryAfterMs` is not waited for: the call fails with CALENDAR_RATE_LIMITED
 *   so the sync job can come back later instead of holding a worker.
 * - Failures become `ConnectorError`s with a closed set of codes. Messages name the service,
 *   the method and the URL without its query, and never carry a token.
 *
 * Clock, sleep and randomness are injectable so tests run without waiting.
 */

import { ConnectorError, type ConnectorErrorCode } from "./types.js";

export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /**
   * Safe to send again after a 5xx, a timeout or a lost connection: reads, and writes that
   * carry an idempotency key. 429 is retried either way.
   */
  idempotent?: boolean;
}

export interface HttpResponse {
  status: number;
  headers: Headers;
  /** The body as text; empty for 204. */
  text: string;
}

export interface HttpClientOptions {
  /** Named in error messages: "Google Calendar", "Microsoft Graph". */
  service: string;
  fetch?: typeof fetch;
  /** Per attempt. Default 30 s. */
  timeoutMs?: number;
  /** Including the first. Default 4. */
  maxAttempts?: number;
  /** Default 500 ms. */
  baseDelayMs?: number;
  /** Cap on one computed backoff wait. Default 30 s. */
  maxDelayMs?: number;
  /** Longest `Retry-After` this client waits for in-process. Default 60 s. */
  maxRetryAfterMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /** In [0, 1). */
  random?: () => number;
  /** Epoch milliseconds, for `Retry-After` HTTP-dates. */
  now?: () => number;
  /**
   * Extra statuses a provider uses for "slow down", e.g. Google's 403 with reason
   * `rateLimitExceeded`. Such a response is treated like a 429.
   */
  isRateLimited?: (response: HttpResponse) => boolean;
}

const DEFAULTS = {
  timeoutMs: 30_000,
  maxAttempts: 4,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Full-jitter backoff for the wait after failed attempt `attempt` (1-based).
 *
 * @example backoffDelayMs(3, 500, 30_000, () => 0.5) // 1000 (half of 500 * 2^2)
 */
export function backoffDelayMs(
  attempt: number,
  baseDelayMs: number,
  maxDelayMs: number,
  random: () => number,
): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Milliseconds to wait from a `Retry-After` value (RFC 9110 10.2.3): delay-seconds or an
 * HTTP-date. `undefined` when absent or unreadable; never negative.
 *
 * @example retryAfterMs("120", 0) // 120000
 * @example retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", Date.UTC(2015, 9, 21, 7, 27, 0)) // 60000
 */
export function retryAfterMs(
  value: string | null | undefined,
  nowEpochMs: number,
): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowEpochMs);
}

/** The URL as safe to show: origin and path, no query (page and sync tokens live there). */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return "(unparseable URL)";
  }
}

/**
 * Removes anything shaped like a credential from provider text before it goes into a message:
 * bearer values, JWTs (Microsoft access tokens), Google access (`ya29.`) and refresh (`1//`)
 * tokens, and `*_token=` / `code=` parameters.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/Bearer\s+[^\s"',]+/gi, "Bearer [redacted]")
    .replace(/eyJ[\w-]+\.[\w-]+\.[\w-]*/g, "[redacted]")
    .replace(/ya29\.[\w.-]+/g, "[redacted]")
    .replace(/1\/\/[\w.-]+/g, "[redacted]")
    .replace(
      /((?:access|refresh|id|sync|page)_?token|code|client_secret)=[^&\s"']+/gi,
      "$1=[redacted]",
    );
}

/** A short, redacted summary of a provider's error body, for messages. */
export function providerErrorSummary(text: string): string {
  let summary = text;
  try {
    const body: unknown = JSON.parse(text);
    if (body !== null && typeof body === "object") {
      const record = body as Record<string, unknown>;
      const error = record.error;
      if (typeof error === "string") summary = error;
      else if (error !== null && typeof error === "object") {
        const inner = error as Record<string, unknown>;
        summary = [inner.code, inner.status, inner.message]
          .filter((part) => typeof part === "string" || typeof part === "number")
          .join(": ");
      }
    }
  } catch {
    // Not JSON: keep the text.
  }
  const oneLine = redactSecrets(summary).replace(/\s+/g, " ").trim();
  return oneLine.length > 200 ? `${oneLine.slice(0, 200)}…` : oneLine;
}

/** The closed error code for an HTTP status a connector did not handle itself. */
export function codeForStatus(status: number): ConnectorErrorCode {
  if (status === 401 || status === 403) return "CALENDAR_AUTH_FAILED";
  if (status === 404 || status === 410) return "CALENDAR_NOT_FOUND";
  if (status === 429) return "CALENDAR_RATE_LIMITED";
  if (status >= 500) return "CALENDAR_UNREACHABLE";
  return "CALENDAR_INVALID";
}

/** A `ConnectorError` for a response with an unexpected status. */
export function errorForResponse(
  service: string,
  request: Pick<HttpRequest, "method" | "url">,
  response: HttpResponse,
): ConnectorError {
  const detail = providerErrorSummary(response.text);
  const where = `${request.method} ${describeUrl(request.url)}`;
  const hint =
    response.status === 401
      ? " (the access token was refused)"
      : response.status === 403
        ? " (permission denied)"
        : "";
  return new ConnectorError(
    codeForStatus(response.status),
    `${service} answered ${response.status}${hint} to ${where}${detail ? `: ${detail}` : ""}`,
  );
}

/** Parses a JSON body; a body that is not JSON is CALENDAR_INVALID. */
export function parseJsonBody(
  service: string,
  request: Pick<HttpRequest, "method" | "url">,
  response: HttpResponse,
): unknown {
  try {
    const body: unknown = JSON.parse(response.text);
    return body;
  } catch (cause) {
    throw new ConnectorError(
      "CALENDAR_INVALID",
      `${service} sent a body that is not JSON to ${request.method} ${describeUrl(request.url)}`,
      { cause },
    );
  }
}

function defaultSleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** The shared fetch wrapper. One per provider connection (or per provider). */
export class HttpClient {
  readonly service: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly now: () => number;
  private readonly isRateLimited: (response: HttpResponse) => boolean;

  constructor(options: HttpClientOptions) {
    this.service = options.service;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.timeoutMs = options.timeoutMs ?? DEFAULTS.timeoutMs;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts);
    this.baseDelayMs = options.baseDelayMs ?? DEFAULTS.baseDelayMs;
    this.maxDelayMs = options.maxDelayMs ?? DEFAULTS.maxDelayMs;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? DEFAULTS.maxRetryAfterMs;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? Date.now;
    this.isRateLimited = options.isRateLimited ?? (() => false);
  }

  /**
   * Sends a request, retrying as described in the module header. Returns the final response
   * whatever its status, except that exhausted retries of 429, 5xx and network failures throw.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const where = `${request.method} ${describeUrl(request.url)}`;
    for (let attempt = 1; ; attempt++) {
      const last = attempt >= this.maxAttempts;
      let response: HttpResponse;
      try {
        response = await this.attempt(request);
      } catch (cause) {
        // The guarded client refused the address (guarded-fetch.ts): never worth another try.
        if (cause instanceof ConnectorError) throw cause;
        const timedOut = cause instanceof Error && cause.name === "TimeoutError";
        const message = timedOut
          ? `${this.service} did not answer ${where} within ${this.timeoutMs} ms`
          : `${this.service} could not be reached for ${where}: ${redactSecrets(errorText(cause))}`;
        if (!request.idempotent || last) {
          throw new ConnectorError("CALENDAR_UNREACHABLE", withAttempts(message, attempt), {
            cause,
          });
        }
        await this.sleep(backoffDelayMs(attempt, this.baseDelayMs, this.maxDelayMs, this.random));
        continue;
      }

      const rateLimited = response.status === 429 || this.isRateLimited(response);
      const serverError = response.status >= 500;
      if (!rateLimited && !(serverError && request.idempotent)) return response;

      const told = retryAfterMs(response.headers.get("retry-after"), this.now());
      if (last || (told !== undefined && told > this.maxRetryAfterMs)) {
        if (!rateLimited) {
          const error = errorForResponse(this.service, request, response);
          throw new ConnectorError(error.code, withAttempts(error.message, attempt));
        }
        const after =
          told === undefined ? "" : `; it asks to wait ${Math.ceil(told / 1000)} s before retrying`;
        throw new ConnectorError(
          "CALENDAR_RATE_LIMITED",
          withAttempts(`${this.service} is rate limiting ${where}${after}`, attempt),
          told === undefined ? {} : { retryAfterMs: told },
        );
      }
      await this.sleep(
        told ?? backoffDelayMs(attempt, this.baseDelayMs, this.maxDelayMs, this.random),
      );
    }
  }

  /**
   * Sends a request and parses a JSON answer. Any status outside 2xx becomes a
   * `ConnectorError` (see `codeForStatus`); a body that is not JSON is CALENDAR_INVALID.
   */
  async json(request: HttpRequest): Promise<unknown> {
    const response = await this.send(request);
    if (response.status < 200 || response.status >= 300) {
      throw errorForResponse(this.service, request, response);
    }
    return parseJsonBody(this.service, request, response);
  }

  private async attempt(request: HttpRequest): Promise<HttpResponse> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const init: RequestInit = { method: request.method, signal, redirect: "error" };
    if (request.headers !== undefined) init.headers = request.headers;
    if (request.body !== undefined) init.body = request.body;
    const response = await this.fetchImpl(request.url, init);
    const text = await response.text();
    return { status: response.status, headers: response.headers, text };
  }
}

function withAttempts(message: string, attempts: number): string {
  return attempts > 1 ? `${message} (after ${attempts} attempts)` : message;
}

/** undici puts the system error (ECONNREFUSED, ENOTFOUND, …) in `cause`; only its code is shown. */
function errorText(cause: unknown): string {
  const inner = (cause as { cause?: { code?: unknown } } | undefined)?.cause;
  if (typeof inner?.code === "string") return inner.code;
  return cause instanceof Error ? cause.name : "unknown failure";
}
