/**
 * The optional model reader against a local server speaking the documented OpenAI-compatible
 * chat completions shape: a right answer confirms the rule reading; a wrong, invented, malformed
 * or slow answer (or none) sends the reply to a person.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LlmSettings, readWithModel } from "../../src/assistant/llm-reader.js";
import type { UnderstandInput } from "../../src/understand/types.js";

type Handler = (body: Record<string, unknown>, res: ServerResponse) => void;
let handler: Handler = () => {};
let lastRequest: { body: Record<string, unknown>; headers: IncomingMessage["headers"] } | undefined;
let server: Server;
let url = "";

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = "";
    req.on("data", (c) => {
      raw += c;
    });
    req.on("end", () => {
      const body = JSON.parse(raw) as Record<string, unknown>;
      lastRequest = { body, headers: req.headers };
      handler(body, res);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

const completion = (content: string) =>
  JSON.stringify({ choices: [{ index: 0, message: { role: "assistant", content } }] });
const answer =
  (reading: unknown): Handler =>
  (_b, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(completion(JSON.stringify(reading)));
  };

// Fri 27 Nov 2026, 10:00 New York; options Tue 1 Dec 14:00 and Wed 2 Dec 10:00 (ET)
const input: UnderstandInput = {
  now: "2026-11-27T15:00:00Z",
  timeZone: "America/New_York",
  text: "Wednesday at 10 works, assuming the parking gets sorted.",
  proposed: [
    { start: "2026-12-01T19:00:00Z", end: "2026-12-01T20:00:00Z" },
    { start: "2026-12-02T15:00:00Z", end: "2026-12-02T16:00:00Z" },
  ],
};
const settings = (over: Partial<LlmSettings> = {}): LlmSettings => ({
  url,
  key: undefined,
  model: "local",
  timeoutMs: 2000,
  ...over,
});
const deps = (over: Partial<LlmSettings> = {}) => ({
  settings: settings(over),
  fetch,
  threshold: 0.8,
});
const right = {
  intent: "accept",
  choice: 2,
  windows: [],
  privacyRequest: null,
  evidence: ["Wednesday at 10 works"],
};

describe("the optional model reader", () => {
  it("asks with a JSON schema response format and the bearer key, and confirms a reading that checks out and agrees", async () => {
    handler = answer(right);
    const r = await readWithModel(input, deps({ key: "secret-key" }));
    expect(r.outcome).toBe("confirmed");
    expect(r.reading).toMatchObject({ intent: "accept", choice: 2 });
    expect(r.reading.confidence).toBeGreaterThanOrEqual(0.8);
    expect(lastRequest?.headers.authorization).toBe("Bearer secret-key");
    expect(lastRequest?.body.response_format).toMatchObject({ type: "json_schema" });
  });

  it("sends a reply to a person when the model disagrees", async () => {
    handler = answer({ ...right, choice: 1, evidence: ["Wednesday at 10"] });
    const r = await readWithModel(input, deps());
    expect(r.outcome).toBe("person");
    expect(r.reading.confidence).toBeLessThan(0.8);
  });

  it("keeps a reading the rules were in doubt about with a person, even when the model agrees", async () => {
    handler = answer({ ...right, choice: 1, evidence: ["Tuesday or Wednesday"] });
    const r = await readWithModel({ ...input, text: "Tuesday or Wednesday, both fine" }, deps());
    expect(r).toMatchObject({ outcome: "person", reason: "the rules were in doubt" });
  });

  it("sends a reply to a person when the model cites words the sender did not write", async () => {
    handler = answer({ ...right, evidence: ["Wednesday at 10 is perfect"] });
    const r = await readWithModel(input, deps());
    expect(r).toMatchObject({ outcome: "person" });
    expect(r.reason).toContain("did not write");
  });

  it("sends a reply to a person when the model gives a time the text does not support", async () => {
    handler = answer({
      intent: "propose",
      choice: null,
      windows: [
        { start: "2026-12-09T15:00:00Z", end: "2026-12-09T16:00:00Z", span: "Wednesday at 10" },
      ],
      privacyRequest: null,
      evidence: ["Wednesday at 10"],
    });
    const r = await readWithModel(input, deps());
    expect(r.outcome).toBe("person");
    expect(r.reason).toContain("does not support");
  });

  it.each([
    [
      "content that is not JSON",
      (_b: unknown, res: ServerResponse) => res.end(completion("Sure! Option 2.")),
    ],
    [
      "a body that is not a completion",
      (_b: unknown, res: ServerResponse) => res.end('{"error":"oops"}'),
    ],
    [
      "a server error",
      (_b: unknown, res: ServerResponse) => {
        res.writeHead(500);
        res.end();
      },
    ],
    ["JSON of the wrong shape", answer({ intent: "maybe", evidence: [] })],
  ])("sends a reply to a person on %s", async (_name, h) => {
    handler = h as Handler;
    const r = await readWithModel(input, deps());
    expect(r.outcome).toBe("person");
    expect(r.reading.confidence).toBeLessThan(0.8);
  });

  it("sends a reply to a person when the model is too slow", async () => {
    handler = (_b, res) => {
      setTimeout(() => answer(right)(_b, res), 1500);
    };
    const r = await readWithModel(input, deps({ timeoutMs: 200 }));
    expect(r).toMatchObject({ outcome: "person", reason: "the model did not answer in time" });
  });

  it("sends a reply to a person when no server answers", async () => {
    const r = await readWithModel(input, deps({ url: "http://127.0.0.1:9" }));
    expect(r.outcome).toBe("person");
  });
});
