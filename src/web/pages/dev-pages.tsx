/** Development pages: every email Ally wrote to the outbox folder, when no SMTP relay is set. */
import { readFile } from "node:fs/promises";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { simpleParser } from "mailparser";
import { recentOutbox } from "../../mail/outbox.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";

export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === "localhost" ||
    hostname === "[::1]" ||
    hostname === "::1" ||
    /^127\.\d+\.\d+\.\d+$/.test(hostname)
  );
}

/** The host name of a Host header value (`localhost:3000`, `[::1]:3000`, `127.0.0.1`). */
export function hostnameOf(host: string): string {
  const trimmed = host.trim().toLowerCase();
  const bracketed = /^(\[[^\]]*\])(?::\d+)?$/.exec(trimmed);
  if (bracketed !== null) return bracketed[1] as string;
  return trimmed.replace(/:\d+$/, "");
}

/** A sent message's text, read back from the .eml file it was written to (bodies are purged once sent). */
async function sentText(filePath: string | null): Promise<string> {
  if (filePath === null) return "";
  try {
    return (await simpleParser(await readFile(filePath))).text ?? "";
  } catch {
    return "(the file is no longer there)";
  }
}

export function registerDevPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/dev/outbox",
    kind: "page",
    access: "public",
    summary: "Development outbox (only without SMTP_URL, only from this machine)",
    handler: async (c) => {
      const { store, outboxDirectory, config } = c.get("deps");
      // Links in these emails sign people in: only without a relay, only on a machine that is not
      // published (its public address is loopback), and only to a caller on it. A reverse proxy on
      // the same machine also connects from loopback, hence the other two conditions; a page on
      // another site whose name resolves to 127.0.0.1 (DNS rebinding) sends its own Host, hence
      // the Host check.
      const ip = c.get("meta").ip;
      const host = hostnameOf(c.req.header("host") ?? new URL(c.req.url).host);
      const loopback = ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1";
      const published = !isLoopbackHost(new URL(config.http.publicUrl).hostname);
      const proxied =
        c.req.header("x-forwarded-for") !== undefined || c.req.header("forwarded") !== undefined;
      if (
        outboxDirectory === undefined ||
        !loopback ||
        !isLoopbackHost(host) ||
        published ||
        proxied
      ) {
        return c.notFound();
      }
      const messages = await recentOutbox(store.db, 100);
      const bodies = await Promise.all(
        messages.map((m) => (m.sentAt === null ? m.textBody : sentText(m.filePath))),
      );
      return c.html(
        <Page title="Outbox" session={c.get("session")} csrfToken={c.get("csrfToken")}>
          <h1>Development outbox</h1>
          <p>
            No SMTP relay is configured, so Ally writes each email as a file under{" "}
            <code>{outboxDirectory}</code>. Newest first.
          </p>
          {messages.map((m, index) => (
            <article class="card" aria-labelledby={`mail-${m.id}`}>
              <h2 id={`mail-${m.id}`}>{m.subject}</h2>
              <p class="hint">
                To {m.toAddress} · {m.sentAt ? `written to ${m.filePath}` : "waiting to be sent"}
              </p>
              <pre class="mail-body">{bodies[index]}</pre>
            </article>
          ))}
        </Page>,
      );
    },
  });
}
