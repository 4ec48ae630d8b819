/**
 * A real Dovecot (Debian package `dovecot-imapd`) on a free loopback port for the mailbox tests:
 * its own base_dir, state and log under a temporary folder, one user in a passwd-file with a
 * plain-text password, plaintext login allowed (loopback only, no TLS), maildir storage in the
 * temporary folder. Run as root it hands the mail to `nobody`; run as anyone else, to that user.
 * Absent Dovecot is a skip with one message on a developer's machine, a failure when CI=true.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createConnection, createServer } from "node:net";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { ImapFlow } from "imapflow";

export const DOVECOT_USER = "recruiting@example.com";
export const DOVECOT_PASSWORD = "correct horse battery staple";
const DOVECOT_BINARY = "/usr/sbin/dovecot";
const NOBODY = 65_534;

export interface Dovecot {
  host: string;
  port: number;
  /** Opens a client as the test user (the test's own hands on the mailbox: APPEND, LIST). */
  client(): Promise<ImapFlow>;
  /** Gives the INBOX a new UIDVALIDITY (`doveadm mailbox update`), as a rebuilt server would. */
  changeUidValidity(value: number): void;
  stop(): Promise<void>;
}

/** Whether Dovecot runs here; without it, a failure when CI=true and otherwise one warning. */
export function dovecotOrSkip(what: string): boolean {
  if (existsSync(DOVECOT_BINARY)) return true;
  const why = "Dovecot is not installed (apt-get install dovecot-imapd)";
  if (process.env.CI === "true") {
    throw new Error(`${why}; ${what} need it (CI=true, so this is a failure, not a skip)`);
  }
  console.warn(`skipping ${what}: ${why}`);
  return false;
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

function configText(dir: string, port: number, mailUid: number, mailGid: number): string {
  const me = userInfo();
  const asRoot = me.uid === 0;
  return [
    `base_dir = ${dir}/run`,
    `state_dir = ${dir}/state`,
    `instance_name = ally-test-${port}`,
    `log_path = ${dir}/dovecot.log`,
    "protocols = imap",
    "listen = 127.0.0.1",
    "ssl = no",
    "disable_plaintext_auth = no",
    "auth_mechanisms = plain login",
    "auth_failure_delay = 0",
    "mail_location = maildir:~/Maildir",
    "first_valid_uid = 1",
    "first_valid_gid = 0",
    ...(asRoot
      ? []
      : [`default_internal_user = ${me.username}`, `default_login_user = ${me.username}`]),
    "passdb {",
    "  driver = passwd-file",
    `  args = username_format=%u ${dir}/users`,
    "}",
    "userdb {",
    "  driver = static",
    `  args = uid=${mailUid} gid=${mailGid} home=${dir}/home/%u`,
    "}",
    "namespace inbox {",
    "  inbox = yes",
    "  separator = /",
    "}",
    "service imap-login {",
    "  chroot =",
    "  inet_listener imap {",
    "    address = 127.0.0.1",
    `    port = ${port}`,
    "  }",
    "  inet_listener imaps {",
    "    port = 0",
    "  }",
    "}",
    "service anvil {",
    "  chroot =",
    "}",
    "",
  ].join("\n");
}

/** Waits until the port accepts connections and greets. */
async function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.setTimeout(1000);
    socket.once("data", (chunk) => {
      socket.destroy();
      resolve(chunk.toString().startsWith("* OK"));
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Starts Dovecot and waits until it greets (at most 15 s). */
export async function startDovecot(): Promise<Dovecot> {
  const dir = mkdtempSync(join(tmpdir(), "ally-dovecot-"));
  const me = userInfo();
  const mailUid = me.uid === 0 ? NOBODY : me.uid;
  const mailGid = me.uid === 0 ? NOBODY : me.gid;
  chmodSync(dir, 0o755);
  mkdirSync(join(dir, "home"));
  if (me.uid === 0) chownSync(join(dir, "home"), mailUid, mailGid);
  writeFileSync(join(dir, "users"), `${DOVECOT_USER}:{PLAIN}${DOVECOT_PASSWORD}\n`);
  const port = await freePort();
  writeFileSync(join(dir, "dovecot.conf"), configText(dir, port, mailUid, mailGid));
  const child: ChildProcess = spawn(DOVECOT_BINARY, ["-F", "-c", join(dir, "dovecot.conf")], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 15_000;
  while (!(await greets(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`Dovecot did not start on port ${port}: ${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    host: "127.0.0.1",
    port,
    async client() {
      const client = new ImapFlow({
        host: "127.0.0.1",
        port,
        secure: false,
        auth: { user: DOVECOT_USER, pass: DOVECOT_PASSWORD },
        logger: false,
        disableAutoIdle: true,
      });
      client.on("error", () => {});
      await client.connect();
      return client;
    },
    changeUidValidity(value: number) {
      const result = spawnSync(
        "/usr/bin/doveadm",
        [
          "-c",
          join(dir, "dovecot.conf"),
          "mailbox",
          "update",
          "-u",
          DOVECOT_USER,
          "--uid-validity",
          String(value),
          "INBOX",
        ],
        { encoding: "utf8" },
      );
      if (result.status !== 0) throw new Error(`doveadm failed: ${result.stderr}`);
    },
    stop,
  };
}

/** A message as a mail server would have delivered it, with `Return-Path`. */
export function deliveredMessage(fields: {
  messageId: string;
  from?: string;
  subject?: string;
  body?: string;
  returnPath?: string;
}): string {
  const from = fields.from ?? "dana@example.org";
  return [
    `Return-Path: <${fields.returnPath ?? from}>`,
    `From: Dana Ortiz <${from}>`,
    `To: ${DOVECOT_USER}`,
    `Subject: ${fields.subject ?? "Interview next week"}`,
    `Message-ID: ${fields.messageId}`,
    "Date: Tue, 01 Dec 2026 14:00:00 +0000",
    "MIME-Version: 1.0",
    "Content-Type: text/plain; charset=utf-8",
    "",
    fields.body ?? "Tuesday afternoon suits me.",
    "",
  ].join("\r\n");
}

/** Delivers messages into the test user's INBOX by IMAP APPEND. */
export async function appendToInbox(dovecot: Dovecot, messages: string[]): Promise<void> {
  const client = await dovecot.client();
  try {
    for (const message of messages) await client.append("INBOX", message);
  } finally {
    await client.logout();
  }
}
