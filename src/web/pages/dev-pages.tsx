/** Development pages: every email Ally wrote to the outbox folder, when no SMTP relay is set. */
import type { OpenAPIHono } from "@hono/zod-openapi";
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

export function registerDevPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  routes.add({
    method: "GET",
    path: "/dev/outbox",
    kind: "page",
    access: "public",
    summary: "Development outbox (only without SMTP_URL, only from this machine)",
  });
  app.get("/dev/outbox", async (c) => {
    const { store, outboxDirectory, config } = c.get("deps");
    // Links in these emails sign people in: only without a relay, only on a machine that is not
    // published (its public address is loopback), and only to a caller on it. A reverse proxy on
    // the same machine also connects from loopback, hence the other two conditions.
    const ip = c.get("meta").ip;
    const loopback = ip === "127.0.0.1" || ip === "::1" || ip === "::ffff:127.0.0.1";
    const published = !isLoopbackHost(new URL(config.http.publicUrl).hostname);
    const proxied =
      c.req.header("x-forwarded-for") !== undefined || c.req.header("forwarded") !== undefined;
    if (outboxDirectory === undefined || !loopback || published || proxied) return c.notFound();
    const messages = await store.db
      .selectFrom("outbox")
      .select(["id", "to_address", "subject", "text_body", "created_at", "sent_at", "file_path"])
      .orderBy("id", "desc")
      .limit(100)
      .execute();
    return c.html(
      <Page title="Outbox" session={c.get("session")} csrfToken={c.get("csrfToken")}>
        <h1>Development outbox</h1>
        <p>
          No SMTP relay is configured, so Ally writes each email as a file under{" "}
          <code>{outboxDirectory}</code>. Newest first.
        </p>
        {messages.map((m) => (
          <article class="card" aria-labelledby={`mail-${m.id}`}>
            <h2 id={`mail-${m.id}`}>{m.subject}</h2>
            <p class="hint">
              To {m.to_address} · {m.sent_at ? `written to ${m.file_path}` : "waiting to be sent"}
            </p>
            <pre class="mail-body">{m.text_body}</pre>
          </article>
        ))}
      </Page>,
    );
  });
}
