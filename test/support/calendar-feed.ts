/**
 * One ICS feed on loopback, shared by the generated web tests: connecting a calendar reads it
 * once, so calendar-connection objects and connect forms need a feed that answers. Started on
 * first use; it does not keep the test process alive.
 */
import { createServer } from "node:http";

export const SHARED_FEED_ICS = [
  "BEGIN:VCALENDAR",
  "VERSION:2.0",
  "PRODID:-//Ally tests//EN",
  "BEGIN:VEVENT",
  "UID:shared-feed-1@example.com",
  "DTSTAMP:20260101T000000Z",
  "DTSTART:20260102T100000Z",
  "DTEND:20260102T110000Z",
  "SUMMARY:Busy",
  "END:VEVENT",
  "END:VCALENDAR",
  "",
].join("\r\n");

let started: Promise<string> | undefined;

/** The base URL of the shared feed server; any path under `/feeds/` answers the feed. */
export function sharedFeedBase(): Promise<string> {
  started ??= new Promise((resolve) => {
    const server = createServer((request, response) => {
      // One request per connection: a kept-alive socket that the server closes on its idle timer
      // just as the client reuses it answers ECONNRESET on a busy machine.
      response.setHeader("connection", "close");
      if ((request.url ?? "").startsWith("/feeds/")) {
        response.writeHead(200, { "content-type": "text/calendar" }).end(SHARED_FEED_ICS);
      } else {
        response.writeHead(404).end("not found");
      }
    });
    server.listen(0, "127.0.0.1", () => {
      server.unref();
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
  return started;
}

let feedNumber = 0;

/** A fresh secret feed address on the shared server. */
export async function sharedFeedUrl(): Promise<string> {
  feedNumber += 1;
  return `${await sharedFeedBase()}/feeds/secret-${feedNumber}.ics`;
}
