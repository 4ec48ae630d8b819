/**
 * A real Radicale (Debian package `radicale`) on a free loopback port, with a temporary storage
 * folder and a plain-text htpasswd file, for the CalDAV tests. Absent Radicale is a skip with
 * one message on a developer's machine and a failure when CI=true.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";

export interface Radicale {
  /** `http://127.0.0.1:PORT/` */
  baseUrl: string;
  stop(): Promise<void>;
}

export const RADICALE_USER = "dana";
export const RADICALE_PASSWORD = "correct horse battery staple";
/** The test user's credentials as the CalDAV connectors take them. */
export const RADICALE_CREDENTIALS = { username: RADICALE_USER, password: RADICALE_PASSWORD };

/** The command that runs Radicale here, or why there is none. */
export function radicaleCommand(): { ok: true; argv: string[] } | { ok: false; why: string } {
  if (existsSync("/usr/bin/radicale")) return { ok: true, argv: ["/usr/bin/radicale"] };
  const module = spawnSync("python3", ["-c", "import radicale"], { stdio: "ignore" });
  if (module.status === 0) return { ok: true, argv: ["python3", "-m", "radicale"] };
  return {
    ok: false,
    why: "Radicale is not installed (apt-get install radicale); the CalDAV tests need it",
  };
}

/**
 * The command that runs Radicale for the tests of `what`: without one, a failure when CI=true
 * and otherwise one warning that those tests are skipped.
 */
export function radicaleOrSkip(what: string): ReturnType<typeof radicaleCommand> {
  const command = radicaleCommand();
  if (!command.ok && process.env.CI === "true") {
    throw new Error(`${command.why} (CI=true, so this is a failure, not a skip)`);
  }
  if (!command.ok) console.warn(`skipping ${what}: ${command.why}`);
  return command;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts Radicale and waits until it answers (at most 15 s). */
export async function startRadicale(argv: string[]): Promise<Radicale> {
  const dir = mkdtempSync(join(tmpdir(), "ally-radicale-"));
  const users = join(dir, "users");
  writeFileSync(users, `${RADICALE_USER}:${RADICALE_PASSWORD}\n`);
  const port = await freePort();
  const [command, ...prefix] = argv as [string, ...string[]];
  let log = "";
  const child: ChildProcess = spawn(
    command,
    [
      ...prefix,
      "--config",
      "",
      "--server-hosts",
      `127.0.0.1:${port}`,
      "--storage-filesystem-folder",
      join(dir, "collections"),
      "--auth-type",
      "htpasswd",
      "--auth-htpasswd-filename",
      users,
      "--auth-htpasswd-encryption",
      "plain",
      "--auth-delay",
      "0",
      "--rights-type",
      "owner_only",
      "--logging-level",
      "warning",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (chunk) => {
    log += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    log += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const baseUrl = `http://127.0.0.1:${port}/`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`Radicale exited with ${child.exitCode}: ${log.trim()}`);
    }
    try {
      await fetch(baseUrl, { method: "OPTIONS", signal: AbortSignal.timeout(1000) });
      return { baseUrl, stop };
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`Radicale did not start on port ${port}: ${log.trim()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** A Radicale running for one describe block, and a calendar on it. */
export interface RadicaleCalendar {
  readonly server: Radicale;
  /** The calendar's URL, ending in `/`. */
  readonly collection: string;
}

/**
 * Runs Radicale around the enclosing describe block with the test user's calendar `name`
 * (MKCALENDAR), then `fill`s it; nothing runs when there is no Radicale here.
 */
export function radicaleCalendar(
  command: ReturnType<typeof radicaleCommand>,
  name: string,
  fill: (collection: string) => Promise<void> = async () => {},
): RadicaleCalendar {
  let server: Radicale | undefined;
  let collection = "";
  beforeAll(async () => {
    if (!command.ok) return;
    server = await startRadicale(command.argv);
    collection = `${server.baseUrl}${RADICALE_USER}/${name}/`;
    await makeCalendar(collection);
    await fill(collection);
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
  });
  return {
    get server() {
      if (server === undefined) throw new Error("Radicale is not running");
      return server;
    },
    get collection() {
      return collection;
    },
  };
}

/** The test user's HTTP Basic authorization header. */
export const RADICALE_AUTHORIZATION = `Basic ${Buffer.from(`${RADICALE_USER}:${RADICALE_PASSWORD}`).toString("base64")}`;

/** MKCALENDAR (RFC 4791 5.3.1) at `url`. */
export async function makeCalendar(url: string): Promise<void> {
  const response = await fetch(url, {
    method: "MKCALENDAR",
    headers: { authorization: RADICALE_AUTHORIZATION },
  });
  if (response.status !== 201) throw new Error(`MKCALENDAR ${url}: HTTP ${response.status}`);
}

/** PUT one calendar object. */
export async function putObject(url: string, ics: string): Promise<void> {
  const response = await fetch(url, {
    method: "PUT",
    headers: {
      authorization: RADICALE_AUTHORIZATION,
      "content-type": "text/calendar; charset=utf-8",
    },
    body: ics,
  });
  if (response.status !== 201 && response.status !== 204) {
    throw new Error(`PUT ${url}: HTTP ${response.status} ${await response.text()}`);
  }
}

/** GET one calendar object: its status and body. */
export async function getObject(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url, { headers: { authorization: RADICALE_AUTHORIZATION } });
  return { status: response.status, text: await response.text() };
}
