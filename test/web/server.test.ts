/**
 * `ally serve` end to end on a real port: health, the OpenAPI document, the background calendar
 * event writer, graceful shutdown
 * (a request in flight is answered before `close()` resolves), and the refusal to start on
 * PostgreSQL without a master key.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../../src/app/main.js";
import { enqueueEventWrite } from "../../src/calendar/event-writes.js";
import { mintOrgId } from "../../src/ids.js";
import { openStore } from "../../src/store/database.js";
import { testDatabases } from "../support/databases.js";
import { listing, type OpenApiDocument, openApiPath } from "../support/route-samples.js";
import { testConfig } from "../support/web-world.js";

const databases = await testDatabases();
const { routes } = await listing();

describe("a server on SQLite", () => {
  let dir: string;
  let server: RunningServer;
  const logged: string[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "ally-serve-"));
    server = await startServer(
      testConfig({
        PORT: "0",
        HOST: "127.0.0.1",
        DATABASE_URL: `sqlite:${join(dir, "ally.db")}`,
        DATA_DIR: dir,
      }),
      (line) => logged.push(line),
    );
  });
  afterAll(async () => {
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("listens on the port the system chose and says where", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
    expect(logged.join("\n")).toContain(server.url);
  });

  it("performs calendar event writes in the background", async () => {
    const store = openStore(`sqlite:${join(dir, "ally.db")}`);
    try {
      const now = Date.now();
      await store.db
        .insertInto("organisations")
        .values({ id: "org_bg", name: "Acme", created_at: now })
        .execute();
      await store.db
        .insertInto("users")
        .values({
          id: "usr_bg",
          email: "bg@example.com",
          name: "Dana",
          phone: "",
          postal_address: "",
          password_hash: "x",
          email_verified_at: now,
          totp_secret: null,
          created_at: now,
        })
        .execute();
      await enqueueEventWrite(
        store.db,
        {
          organisationId: mintOrgId("org_bg"),
          userId: "usr_bg",
          action: "upsert",
          event: {
            uid: "bkg_bg-1@ally.test",
            sequence: 0,
            time: { startEpochMs: now + 3_600_000, endEpochMs: now + 7_200_000 },
            summary: "Interview",
            organizer: { email: "ally@ally.test" },
            attendees: [{ email: "candidate@example.com" }],
          },
          dtstampEpochMs: now,
        },
        now,
      );
      const deadline = Date.now() + 15_000;
      let status = "pending";
      while (status === "pending" && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
        const row = await store.db
          .selectFrom("calendar_event_writes")
          .select("status")
          .executeTakeFirst();
        status = row?.status ?? "missing";
      }
      // Nobody has a calendar connected: done, with nothing written.
      expect(status).toBe("done");
    } finally {
      await store.close();
    }
  }, 20_000);

  it("answers /health with 200 {status: ok}", async () => {
    const response = await fetch(`${server.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("serves an OpenAPI 3.1 document listing every API route of the route table", async () => {
    const response = await fetch(`${server.url}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    const doc = (await response.json()) as OpenApiDocument & Record<string, unknown>;
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(openApiProblems(doc)).toEqual([]);
    for (const route of routes.filter((r) => r.kind === "api")) {
      expect(
        doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase()],
        `${route.method} ${route.path}`,
      ).toBeDefined();
    }
  });

  it("finishes a request in flight before close() resolves, then refuses new ones", async () => {
    const events: string[] = [];
    const { port } = new URL(server.url);
    // A sign-in whose body arrives slowly: the handler is waiting for it when close() is called.
    const answered = new Promise<number>((resolve, reject) => {
      const req = request(
        {
          host: "127.0.0.1",
          port: Number(port),
          method: "POST",
          path: "/login",
          headers: {
            "content-type": "application/x-www-form-urlencoded",
            "content-length": "64",
            cookie: "ally_csrf=slow-request-csrf-token-0123456789abcdef",
          },
        },
        (res) => {
          res.resume();
          res.on("end", () => {
            events.push("answered");
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on("error", reject);
      const body = "_csrf=slow-request-csrf-token-0123456789abcdef&email=a%40b.example&x=1";
      req.write(body.slice(0, 20));
      setTimeout(() => req.end(body.slice(20, 64)), 300);
    });
    await new Promise((r) => setTimeout(r, 100));
    const closed = server.close().then(() => events.push("closed"));
    const status = await answered;
    await closed;
    expect(status).toBeGreaterThanOrEqual(200);
    expect(status).toBeLessThan(500);
    expect(events).toEqual(["answered", "closed"]);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

const postgres = databases.find((d) => d.dialect === "postgres");

describe.skipIf(postgres === undefined)("a server on PostgreSQL", () => {
  it("refuses to start without ALLY_MASTER_KEY, saying so", async () => {
    const created = await (postgres as NonNullable<typeof postgres>).create();
    const dir = mkdtempSync(join(tmpdir(), "ally-serve-pg-"));
    try {
      await expect(
        startServer(testConfig({ PORT: "0", DATABASE_URL: created.url, DATA_DIR: dir }), () => {}),
      ).rejects.toThrow(/ALLY_MASTER_KEY is required with PostgreSQL/);
    } finally {
      await created.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("starts with ALLY_MASTER_KEY and answers /health", async () => {
    const created = await (postgres as NonNullable<typeof postgres>).create();
    const dir = mkdtempSync(join(tmpdir(), "ally-serve-pg-"));
    try {
      const server = await startServer(
        testConfig({
          PORT: "0",
          DATABASE_URL: created.url,
          DATA_DIR: dir,
          ALLY_MASTER_KEY: Buffer.alloc(32, 3).toString("base64"),
        }),
        () => {},
      );
      const response = await fetch(`${server.url}/health`);
      expect(await response.json()).toEqual({ status: "ok" });
      await server.close();
    } finally {
      await created.drop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Structural checks of an OpenAPI 3.1 document: what a validator would reject first. */
function openApiProblems(doc: OpenApiDocument & Record<string, unknown>): string[] {
  const problems: string[] = [];
  const methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];
  const walk = (value: unknown, at: string) => {
    if (Array.isArray(value)) {
      for (const [i, v] of value.entries()) walk(v, `${at}/${i}`);
    } else if (value !== null && typeof value === "object") {
      for (const [key, child] of Object.entries(value)) {
        if (key === "$ref" && typeof child === "string") {
          const target = child
            .replace(/^#\//, "")
            .split("/")
            .reduce<unknown>(
              (node, part) => (node as Record<string, unknown> | undefined)?.[part],
              doc,
            );
          if (target === undefined) problems.push(`${at}: unresolved ${child}`);
        } else walk(child, `${at}/${key}`);
      }
    }
  };
  walk(doc, "#");
  const operationIds = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith("/")) problems.push(`${path}: paths start with /`);
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
    for (const [method, op] of Object.entries(item)) {
      if (!methods.includes(method)) {
        problems.push(`${path}: unknown method ${method}`);
        continue;
      }
      const operation = op as {
        responses?: Record<string, { description?: string }>;
        parameters?: Array<{ name: string; in: string; required?: boolean }>;
        operationId?: string;
      };
      if (operation.operationId !== undefined) {
        if (operationIds.has(operation.operationId))
          problems.push(`duplicate operationId ${operation.operationId}`);
        operationIds.add(operation.operationId);
      }
      const responses = Object.entries(operation.responses ?? {});
      if (responses.length === 0) problems.push(`${method} ${path}: no responses`);
      for (const [code, response] of responses) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(code))
          problems.push(`${method} ${path}: bad status ${code}`);
        if (typeof response.description !== "string")
          problems.push(`${method} ${path} ${code}: no description`);
      }
      for (const name of templated) {
        const parameter = operation.parameters?.find((p) => p.in === "path" && p.name === name);
        if (parameter === undefined) problems.push(`${method} ${path}: {${name}} not declared`);
        else if (parameter.required !== true)
          problems.push(`${method} ${path}: {${name}} must be required`);
      }
    }
  }
  return problems;
}
