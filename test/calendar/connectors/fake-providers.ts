/**
 * A local HTTP server standing in for Google's and Microsoft's APIs in tests: a real `node:http`
 * server on 127.0.0.1 that answers routes with the documented response shapes and records
 * every request (method, path, query, headers, body) so tests can assert what the connectors
 * sent. Routes answer from a queue of replies (one per call, the last repeating) or a function.
 */

import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HttpClient, type HttpClientOptions } from "../../../src/calendar/connectors/http.js";

export interface RecordedRequest {
  method: string;
  /** Path without the query, percent-decoded (as the providers route it). */
  path: string;
  /** Path as sent, still percent-encoded. */
  rawPath: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  /** A string is sent as is (for malformed bodies); anything else as JSON. */
  body?: unknown;
  /** Destroy the connection instead of answering (a network failure). */
  hangUp?: boolean;
}

export type Handler = (request: RecordedRequest) => Reply | Promise<Reply>;

export class FakeProvider {
  readonly requests: RecordedRequest[] = [];
  /** Requests no route matched; a test should end with none. */
  readonly unexpected: RecordedRequest[] = [];
  private readonly routes = new Map<string, Handler>();
  private server: Server | undefined;
  baseUrl = "";

  static async start(): Promise<FakeProvider> {
    const fake = new FakeProvider();
    await fake.listen();
    return fake;
  }

  /** Answers `method path` (path without query) with `replies` in turn, the last one repeating. */
  on(method: string, path: string, replies: Handler | Reply | Reply[]): this {
    if (typeof replies === "function") {
      this.routes.set(`${method} ${path}`, replies);
      return this;
    }
    const queue = Array.isArray(replies) ? [...replies] : [replies];
    this.routes.set(`${method} ${path}`, () => (queue.length > 1 ? queue.shift() : queue[0]) ?? {});
    return this;
  }

  /** Requests to `method path`, in order. */
  calls(method: string, path: string): RecordedRequest[] {
    return this.requests.filter((request) => request.method === method && request.path === path);
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async listen(): Promise<void> {
    const server = createServer((incoming, outgoing) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () => {
        const url = new URL(incoming.url ?? "/", "http://127.0.0.1");
        const request: RecordedRequest = {
          method: incoming.method ?? "GET",
          path: decodeURIComponent(url.pathname),
          rawPath: url.pathname,
          query: url.searchParams,
          headers: incoming.headers,
          body: Buffer.concat(chunks).toString("utf8"),
        };
        this.requests.push(request);
        const handler = this.routes.get(`${request.method} ${request.path}`);
        if (handler === undefined) this.unexpected.push(request);
        Promise.resolve(
          handler?.(request) ?? {
            status: 404,
            body: { error: { code: 404, message: "no route" } },
          },
        ).then(
          (reply) => {
            if (reply.hangUp) {
              outgoing.socket?.destroy();
              return;
            }
            const raw = reply.body === undefined || typeof reply.body === "string";
            const text =
              reply.body === undefined ? "" : raw ? String(reply.body) : JSON.stringify(reply.body);
            outgoing.writeHead(reply.status ?? 200, {
              ...(raw ? {} : { "content-type": "application/json; charset=UTF-8" }),
              ...reply.headers,
            });
            outgoing.end(text);
          },
          (error: unknown) => {
            outgoing.writeHead(500);
            outgoing.end(String(error));
          },
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    this.server = server;
    this.baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }
}

/** Parses a recorded JSON body. */
export function jsonBody(request: RecordedRequest | undefined): unknown {
  if (request === undefined) throw new Error("no such request was made");
  return JSON.parse(request.body) as unknown;
}

/** Parses a recorded form body (token endpoint). */
export function formBody(request: RecordedRequest | undefined): URLSearchParams {
  if (request === undefined) throw new Error("no such request was made");
  return new URLSearchParams(request.body);
}

/**
 * An `HttpClient` that records its waits instead of sleeping, with jitter fixed at half the
 * ceiling and a fixed clock, so retry tests are instant and exact.
 */
export function testHttpClient(
  service: string,
  overrides: Partial<HttpClientOptions> = {},
): { http: HttpClient; sleeps: number[] } {
  const sleeps: number[] = [];
  const http = new HttpClient({
    service,
    timeoutMs: 5_000,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
    now: () => Date.UTC(2026, 11, 1, 12),
    ...overrides,
  });
  return { http, sleeps };
}
