/**
 * The ICS feed connector against a local HTTP server: conditional requests reuse the last body
 * on 304; each failure (401, 404, 429, 500, a body that is not iCalendar, no answer in time, no
 * server) gives its own code, and no message shows the feed's secret path.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { IcsFeedSource } from "../../../src/calendar/connectors/ics-feed.js";
import { ConnectorError } from "../../../src/calendar/connectors/types.js";
import { type FeedServer, startFeedServer } from "./feed-server.js";
import { COMBINED_ICS, MARCH, OFFSITE_UTC, SERIES_BUSY, SERIES_ICS } from "./fixtures.js";

let server: FeedServer;
beforeAll(async () => {
  server = await startFeedServer();
});
afterAll(async () => {
  await server.close();
});

const SECRET = "private-5f2c9a0e1b7d";

async function failure(source: IcsFeedSource): Promise<ConnectorError> {
  const error = await source.busy(MARCH, { zone: "UTC" }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ConnectorError);
  const connectorError = error as ConnectorError;
  expect(connectorError.message).not.toContain(SECRET);
  expect(connectorError.message).toContain("127.0.0.1");
  return connectorError;
}

describe("ICS feed source", () => {
  it("reads busy time from a feed and labels it by host only", async () => {
    server.route(`/${SECRET}/basic.ics`, (_request, response) => {
      response.writeHead(200, { "content-type": "text/calendar" }).end(COMBINED_ICS);
    });
    const source = new IcsFeedSource(new URL(`${server.baseUrl}/${SECRET}/basic.ics`));
    const read = await source.busy(MARCH, { zone: "UTC" });
    expect(read.busy).toEqual([SERIES_BUSY[0], OFFSITE_UTC, SERIES_BUSY[1], SERIES_BUSY[2]]);
    expect(read.warnings).toEqual([]);
    expect(source.label).toBe(`${server.baseUrl}/…`);
  });

  it("sends the ETag and Last-Modified back and reuses the last body on 304", async () => {
    const path = `/${SECRET}/etag.ics`;
    const seen: Array<{ ifNoneMatch?: string; ifModifiedSince?: string }> = [];
    server.route(path, (request, response) => {
      seen.push({
        ifNoneMatch: request.headers["if-none-match"],
        ifModifiedSince: request.headers["if-modified-since"],
      });
      if (request.headers["if-none-match"] === '"v1"') {
        response.writeHead(304, { etag: '"v1"' }).end();
        return;
      }
      response
        .writeHead(200, {
          "content-type": "text/calendar",
          etag: '"v1"',
          "last-modified": "Sun, 01 Feb 2026 00:00:00 GMT",
        })
        .end(SERIES_ICS);
    });
    const source = new IcsFeedSource(new URL(`${server.baseUrl}${path}`));
    const first = await source.busy(MARCH, { zone: "UTC" });
    const second = await source.busy(MARCH, { zone: "UTC" });
    expect(first.busy).toEqual(SERIES_BUSY);
    expect(second.busy).toEqual(SERIES_BUSY);
    expect(seen).toEqual([
      { ifNoneMatch: undefined, ifModifiedSince: undefined },
      { ifNoneMatch: '"v1"', ifModifiedSince: "Sun, 01 Feb 2026 00:00:00 GMT" },
    ]);
  });

  it("keeps what it remembers per source: a new source asks unconditionally", async () => {
    const path = `/${SECRET}/fresh.ics`;
    const conditional: boolean[] = [];
    server.route(path, (request, response) => {
      conditional.push(request.headers["if-none-match"] !== undefined);
      response.writeHead(200, { etag: '"v2"' }).end(SERIES_ICS);
    });
    await new IcsFeedSource(new URL(`${server.baseUrl}${path}`)).busy(MARCH, { zone: "UTC" });
    await new IcsFeedSource(new URL(`${server.baseUrl}${path}`)).busy(MARCH, { zone: "UTC" });
    expect(conditional).toEqual([false, false]);
  });

  it("sends a user name and password in the URL as Basic authentication", async () => {
    const path = `/${SECRET}/basic-auth.ics`;
    let authorization: string | undefined;
    server.route(path, (request, response) => {
      authorization = request.headers.authorization;
      response.writeHead(200).end(SERIES_ICS);
    });
    const url = new URL(`${server.baseUrl}${path}`);
    url.username = "dana";
    url.password = "s3cret";
    const source = new IcsFeedSource(url);
    await source.busy(MARCH, { zone: "UTC" });
    expect(authorization).toBe(`Basic ${Buffer.from("dana:s3cret").toString("base64")}`);
    expect(source.label).not.toContain("s3cret");
  });

  const failures: Array<[string, number, string]> = [
    ["reports 401 as CALENDAR_AUTH_FAILED", 401, "CALENDAR_AUTH_FAILED"],
    ["reports 403 as CALENDAR_AUTH_FAILED", 403, "CALENDAR_AUTH_FAILED"],
    ["reports 404 as CALENDAR_NOT_FOUND", 404, "CALENDAR_NOT_FOUND"],
    ["reports 429 as CALENDAR_RATE_LIMITED", 429, "CALENDAR_RATE_LIMITED"],
    ["reports 500 as CALENDAR_UNREACHABLE", 500, "CALENDAR_UNREACHABLE"],
    ["reports 503 as CALENDAR_UNREACHABLE", 503, "CALENDAR_UNREACHABLE"],
  ];
  for (const [name, status, code] of failures) {
    it(name, async () => {
      const path = `/${SECRET}/status-${status}.ics`;
      server.route(path, (_request, response) => {
        response.writeHead(status, { "retry-after": "120" }).end("nope");
      });
      const error = await failure(new IcsFeedSource(new URL(`${server.baseUrl}${path}`)));
      expect(error.code).toBe(code);
      expect(error.message).toContain(`HTTP ${status}`);
    });
  }

  it("says when to retry after a 429", async () => {
    const error = await failure(
      new IcsFeedSource(new URL(`${server.baseUrl}/${SECRET}/status-429.ics`)),
    );
    expect(error.message).toContain("retry after 120");
  });

  it("reports a body that is not iCalendar as CALENDAR_INVALID", async () => {
    const path = `/${SECRET}/login-page.ics`;
    server.route(path, (_request, response) => {
      response.writeHead(200, { "content-type": "text/html" }).end("<html>Sign in</html>");
    });
    const error = await failure(new IcsFeedSource(new URL(`${server.baseUrl}${path}`)));
    expect(error.code).toBe("CALENDAR_INVALID");
  });

  it("refuses a feed larger than the limit, declared or streamed", async () => {
    server.route(`/${SECRET}/large.ics`, (_request, response) => {
      const body = SERIES_ICS + SERIES_ICS;
      response.writeHead(200, { "content-length": Buffer.byteLength(body) }).end(body);
    });
    server.route(`/${SECRET}/large-chunked.ics`, (_request, response) => {
      response.writeHead(200, { "transfer-encoding": "chunked" });
      response.write(SERIES_ICS);
      response.end(SERIES_ICS);
    });
    for (const name of ["large.ics", "large-chunked.ics"]) {
      const source = new IcsFeedSource(new URL(`${server.baseUrl}/${SECRET}/${name}`), {
        maxBytes: SERIES_ICS.length + 10,
      });
      const error = await failure(source);
      expect(error.code).toBe("CALENDAR_INVALID");
      expect(error.message).toContain("larger than");
    }
  });

  it("reads a feed that starts with a byte order mark", async () => {
    server.route(`/${SECRET}/bom.ics`, (_request, response) => {
      response.writeHead(200).end(`\uFEFF${SERIES_ICS}`);
    });
    const source = new IcsFeedSource(new URL(`${server.baseUrl}/${SECRET}/bom.ics`));
    expect((await source.busy(MARCH, { zone: "UTC" })).busy).toEqual(SERIES_BUSY);
  });

  it("reports a server that does not answer in time as CALENDAR_UNREACHABLE", async () => {
    const path = `/${SECRET}/slow.ics`;
    server.route(path, () => {
      // never answers
    });
    const source = new IcsFeedSource(new URL(`${server.baseUrl}${path}`), { timeoutMs: 200 });
    const error = await failure(source);
    expect(error.code).toBe("CALENDAR_UNREACHABLE");
    expect(error.message).toContain("no answer within 0.2 s");
  });

  it("reports a body that stops arriving as CALENDAR_UNREACHABLE", async () => {
    const path = `/${SECRET}/stalled.ics`;
    server.route(path, (_request, response) => {
      response.writeHead(200, { "content-type": "text/calendar" });
      response.write("BEGIN:VCALENDAR\r\n");
    });
    const source = new IcsFeedSource(new URL(`${server.baseUrl}${path}`), { timeoutMs: 200 });
    expect((await failure(source)).code).toBe("CALENDAR_UNREACHABLE");
  });

  it("reports a port where nothing listens as CALENDAR_UNREACHABLE", async () => {
    const closed = await startFeedServer();
    await closed.close();
    const source = new IcsFeedSource(new URL(`${closed.baseUrl}/${SECRET}/basic.ics`));
    const error = await failure(source);
    expect(error.code).toBe("CALENDAR_UNREACHABLE");
    expect(error.message).toContain("ECONNREFUSED");
  });
});
