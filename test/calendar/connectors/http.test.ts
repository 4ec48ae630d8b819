import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  backoffDelayMs,
  codeForStatus,
  redactSecrets,
  retryAfterMs,
} from "../../../src/calendar/connectors/http.js";
import { connectorError } from "../../support/failures.js";
import { FakeProvider, testHttpClient } from "./fake-providers.js";

describe("backoff and Retry-After", () => {
  it("draws full jitter below a ceiling that doubles per attempt up to the cap", () => {
    expect(backoffDelayMs(1, 500, 30_000, () => 0.999)).toBe(499);
    expect(backoffDelayMs(3, 500, 30_000, () => 0.5)).toBe(1000);
    expect(backoffDelayMs(20, 500, 30_000, () => 0.5)).toBe(15_000);
    expect(backoffDelayMs(4, 500, 30_000, () => 0)).toBe(0);
  });

  it("reads Retry-After as seconds or as an HTTP-date, and ignores nonsense", () => {
    const now = Date.UTC(2015, 9, 21, 7, 27, 0);
    expect(retryAfterMs("120", now)).toBe(120_000);
    expect(retryAfterMs("Wed, 21 Oct 2015 07:28:00 GMT", now)).toBe(60_000);
    expect(retryAfterMs("Wed, 21 Oct 2015 07:00:00 GMT", now)).toBe(0);
    expect(retryAfterMs("soon", now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });

  it("maps statuses to the closed set of connector codes", () => {
    expect([401, 403, 404, 410, 400, 429, 500, 503].map(codeForStatus)).toEqual([
      "CALENDAR_AUTH_FAILED",
      "CALENDAR_AUTH_FAILED",
      "CALENDAR_NOT_FOUND",
      "CALENDAR_NOT_FOUND",
      "CALENDAR_INVALID",
      "CALENDAR_RATE_LIMITED",
      "CALENDAR_UNREACHABLE",
      "CALENDAR_UNREACHABLE",
    ]);
  });

  it("redacts bearer values, Google and JWT tokens and token parameters", () => {
    const text =
      "Bearer abc.def ya29.a0Af-xyz 1//0gRefresh-Token eyJhbGciOi.eyJzdWIi.sig refresh_token=r1&code=c2";
    const redacted = redactSecrets(text);
    for (const secret of ["abc.def", "ya29.a0Af", "1//0gRefresh", "eyJhbGciOi", "r1", "c2"]) {
      expect(redacted).not.toContain(secret);
    }
  });
});

describe("HttpClient against a local server", () => {
  let fake: FakeProvider;
  beforeEach(async () => {
    fake = await FakeProvider.start();
  });
  afterEach(async () => {
    await fake.close();
  });

  it("retries a 5xx read with backoff and returns the success", async () => {
    fake.on("GET", "/thing", [{ status: 503 }, { status: 502 }, { body: { ok: true } }]);
    const { http, sleeps } = testHttpClient("Test");
    const body = await http.json({ method: "GET", url: `${fake.baseUrl}/thing`, idempotent: true });
    expect(body).toEqual({ ok: true });
    expect(fake.calls("GET", "/thing")).toHaveLength(3);
    // Full jitter with random() = 0.5: half of 500 ms, then half of 1000 ms.
    expect(sleeps).toEqual([250, 500]);
  });

  it("does not repeat a create after a 5xx, since the server may have acted", async () => {
    fake.on("POST", "/create", [{ status: 500 }, { body: { id: "x" } }]);
    const { http, sleeps } = testHttpClient("Test");
    const error = await connectorError(
      http.json({ method: "POST", url: `${fake.baseUrl}/create` }),
    );
    expect(error.code).toBe("CALENDAR_UNREACHABLE");
    expect(fake.calls("POST", "/create")).toHaveLength(1);
    expect(sleeps).toEqual([]);
  });

  it("waits what Retry-After says on 429, even for a create", async () => {
    fake.on("POST", "/create", [
      { status: 429, headers: { "retry-after": "7" } },
      { status: 429, headers: { "retry-after": "Tue, 01 Dec 2026 12:00:03 GMT" } },
      { body: { id: "x" } },
    ]);
    const { http, sleeps } = testHttpClient("Test");
    expect(await http.json({ method: "POST", url: `${fake.baseUrl}/create` })).toEqual({
      id: "x",
    });
    expect(sleeps).toEqual([7000, 3000]);
  });

  it("gives up at once with CALENDAR_RATE_LIMITED when Retry-After is beyond the cap", async () => {
    fake.on("GET", "/thing", { status: 429, headers: { "retry-after": "3600" } });
    const { http, sleeps } = testHttpClient("Test", { maxRetryAfterMs: 60_000 });
    const error = await connectorError(
      http.json({ method: "GET", url: `${fake.baseUrl}/thing`, idempotent: true }),
    );
    expect(error.code).toBe("CALENDAR_RATE_LIMITED");
    expect(error.message).toContain("wait 3600 s");
    expect(sleeps).toEqual([]);
    expect(fake.requests).toHaveLength(1);
  });

  it("stops after the configured number of attempts", async () => {
    fake.on("GET", "/thing", { status: 503 });
    const { http, sleeps } = testHttpClient("Test", { maxAttempts: 4 });
    const error = await connectorError(
      http.json({ method: "GET", url: `${fake.baseUrl}/thing`, idempotent: true }),
    );
    expect(error.code).toBe("CALENDAR_UNREACHABLE");
    expect(error.message).toContain("after 4 attempts");
    expect(fake.requests).toHaveLength(4);
    expect(sleeps).toEqual([250, 500, 1000]);
  });

  it("retries a dropped connection on a read", async () => {
    fake.on("GET", "/thing", [{ hangUp: true }, { body: { ok: 1 } }]);
    const { http } = testHttpClient("Test");
    expect(
      await http.json({ method: "GET", url: `${fake.baseUrl}/thing`, idempotent: true }),
    ).toEqual({ ok: 1 });
  });

  it("reports a refused connection as CALENDAR_UNREACHABLE with the system code only", async () => {
    const url = `${fake.baseUrl}/thing`;
    await fake.close();
    const { http } = testHttpClient("Test", { maxAttempts: 2 });
    const error = await connectorError(http.json({ method: "GET", url, idempotent: true }));
    expect(error.code).toBe("CALENDAR_UNREACHABLE");
    expect(error.message).toContain("ECONNREFUSED");
  });

  it("times out a server that does not answer", async () => {
    fake.on("GET", "/slow", () => new Promise((resolve) => setTimeout(() => resolve({}), 2_000)));
    const { http } = testHttpClient("Test", { timeoutMs: 100, maxAttempts: 1 });
    const error = await connectorError(
      http.json({ method: "GET", url: `${fake.baseUrl}/slow`, idempotent: true }),
    );
    expect(error.code).toBe("CALENDAR_UNREACHABLE");
    expect(error.message).toContain("did not answer");
  });

  it("reports a body that is not JSON as CALENDAR_INVALID", async () => {
    fake.on("GET", "/thing", { body: "<html>Service Unavailable</html>" });
    const { http } = testHttpClient("Test");
    const error = await connectorError(
      http.json({ method: "GET", url: `${fake.baseUrl}/thing`, idempotent: true }),
    );
    expect(error.code).toBe("CALENDAR_INVALID");
  });

  it("keeps tokens out of messages, from the query, the headers and an echoing server", async () => {
    fake.on("GET", "/thing", {
      status: 401,
      body: { error: { code: 401, message: "Invalid Credentials for ya29.SECRET-ACCESS" } },
    });
    const { http } = testHttpClient("Test");
    const error = await connectorError(
      http.json({
        method: "GET",
        url: `${fake.baseUrl}/thing?syncToken=SECRET-SYNC`,
        headers: { authorization: "Bearer ya29.SECRET-ACCESS" },
        idempotent: true,
      }),
    );
    expect(error.code).toBe("CALENDAR_AUTH_FAILED");
    expect(error.message).not.toContain("SECRET");
    expect(error.message).toContain("/thing");
  });
});
