/**
 * The guarded client every outbound calendar request goes through: private addresses in every
 * spelling are refused, a name whose DNS answer changes between the check and the connection
 * cannot reach a private address, and a CalDAV writer pointed at a server that redirects inward
 * sends nothing there. Loopback servers only.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { CalDavEventWriter } from "../../../src/calendar/connectors/caldav-event-writer.js";
import {
  checkPublicHost,
  guardedFetch,
  isPublicAddress,
  pinnedLookup,
} from "../../../src/calendar/connectors/guarded-fetch.js";
import { ConnectorError } from "../../../src/calendar/connectors/types.js";
import type { InterviewEvent } from "../../../src/calendar/imip.js";
import { type FeedServer, startFeedServer } from "./feed-server.js";

const PUBLIC = "93.184.216.34";

function buildEvent(): InterviewEvent {
  return {
    uid: "bkg_guard-1@ally.test",
    sequence: 0,
    // Wed 2 Dec 2026, 15:00–16:00 UTC
    time: { startEpochMs: Date.UTC(2026, 11, 2, 15), endEpochMs: Date.UTC(2026, 11, 2, 16) },
    summary: "Interview: Staff Engineer",
    organizer: { email: "ally@ally.test", name: "Ally" },
    attendees: [{ email: "candidate@example.com", name: "Dana Scully" }],
  };
}

describe("IPv6 spellings of private addresses", () => {
  it.each([
    ["::7f00:1", "IPv4-compatible 127.0.0.1"],
    ["::127.0.0.1", "IPv4-compatible 127.0.0.1, dotted"],
    ["::ffff:0:7f00:1", "IPv4-translated 127.0.0.1"],
    ["::ffff:0:a9fe:a9fe", "IPv4-translated 169.254.169.254"],
    ["fec0::1", "site-local"],
    ["feff:ffff::1", "site-local, top of the range"],
    ["2002:7f00:1::", "6to4 around 127.0.0.1"],
    ["0:0:0:0:0:ffff:7f00:1", "IPv4-mapped, written out"],
  ])("refuses %s (%s)", async (address) => {
    expect(isPublicAddress(address)).toBe(false);
    await expect(checkPublicHost(new URL(`http://[${address}]:8080/`))).rejects.toThrow(
      /private or local network/,
    );
  });

  it.each([
    ["::ffff:8.8.8.8"],
    ["64:ff9b::808:808"],
    ["2002:808:808::1"],
    ["2606:4700:4700::1111"],
  ])("lets the public address %s through", (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe("the pinned lookup", () => {
  const ask = (resolve: (host: string) => Promise<string[]>, all: boolean) =>
    new Promise<unknown>((done, fail) => {
      pinnedLookup(resolve)("calendar.example", { all }, (error, address, family) => {
        if (error) fail(error);
        else done(all ? address : { address, family });
      });
    });

  it("hands the socket exactly the addresses it checked", async () => {
    const resolve = async () => [PUBLIC, "2606:4700:4700::1111"];
    await expect(ask(resolve, true)).resolves.toEqual([
      { address: PUBLIC, family: 4 },
      { address: "2606:4700:4700::1111", family: 6 },
    ]);
    await expect(ask(resolve, false)).resolves.toEqual({ address: PUBLIC, family: 4 });
  });

  it("refuses the connection when any address is private", async () => {
    await expect(ask(async () => [PUBLIC, "10.0.0.7"], true)).rejects.toThrow(ConnectorError);
    await expect(ask(async () => ["::ffff:0:7f00:1"], false)).rejects.toThrow(
      /private or local network/,
    );
  });
});

describe("a name whose answer changes between the check and the connection", () => {
  let server: FeedServer;
  beforeEach(async () => {
    server = await startFeedServer();
    server.route("/feed.ics", (_request, response) => response.end("BEGIN:VCALENDAR"));
  });
  afterEach(() => server.close());

  it("cannot reach a private address (DNS rebinding)", async () => {
    const port = new URL(server.baseUrl).port;
    let answers = 0;
    // Public when checked, loopback for every later question (a zero-TTL rebinding answer).
    const lookup = async () => (answers++ === 0 ? [PUBLIC] : ["127.0.0.1"]);
    const guarded = guardedFetch({ allowPrivateHosts: false, lookup });
    await expect(
      guarded(`http://rebind.example.test:${port}/feed.ics`, {
        headers: { authorization: "Basic c2VjcmV0" },
      }),
    ).rejects.toThrow(/rebind\.example\.test is on a private or local network/);
    expect(answers).toBeGreaterThanOrEqual(2);
    expect(server.requests).toHaveLength(0);
  });
});

describe("a CalDAV writer pointed at a server that redirects inward", () => {
  let internal: FeedServer;
  beforeEach(async () => {
    internal = await startFeedServer();
  });
  afterEach(() => internal.close());

  it("is refused and sends no credentials to the internal address", async () => {
    const target = `${internal.baseUrl}/cal/bkg_guard-1%40ally.test.ics`;
    const seen: Array<{ url: string; method: string | undefined; authorization: string | null }> =
      [];
    // Stands in for a public CalDAV server that answers every request with a redirect to
    // loopback; anything else goes out for real, so a followed redirect would reach `internal`.
    const transport = (async (input: URL | Request | string, init?: RequestInit) => {
      const url = new URL(input instanceof Request ? input.url : input.toString());
      seen.push({
        url: url.href,
        method: init?.method,
        authorization: new Headers(init?.headers).get("authorization"),
      });
      if (url.hostname === "caldav.example.test") {
        return new Response(null, { status: 307, headers: { location: target } });
      }
      return fetch(url, init);
    }) as typeof fetch;
    const writer = new CalDavEventWriter(
      new URL("https://caldav.example.test/cal/"),
      { username: "dana", password: "s3cret" },
      {
        timeoutMs: 2000,
        fetch: guardedFetch({
          allowPrivateHosts: false,
          lookup: async () => [PUBLIC],
          fetch: transport,
        }),
      },
    );
    const written = writer.upsert(buildEvent(), { dtstampEpochMs: Date.UTC(2026, 10, 1) });
    await expect(written).rejects.toThrow(/127\.0\.0\.1:\d+ is on a private or local network/);
    expect(internal.requests).toHaveLength(0);
    expect(seen).toEqual([
      {
        url: "https://caldav.example.test/cal/bkg_guard-1%40ally.test.ics",
        method: "PUT",
        authorization: `Basic ${Buffer.from("dana:s3cret").toString("base64")}`,
      },
    ]);
  });
});
