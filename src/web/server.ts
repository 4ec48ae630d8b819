/**
 * Serves the HTTP app on a port, and stops it gracefully: stops accepting, finishes requests in
 * flight, drops idle keep-alive connections. Only HTTP: what the app is built from and the
 * workers beside it are wired by the composition root (app/compose.ts, app/main.ts).
 */
import { serve } from "@hono/node-server";

export interface HttpServer {
  url: string;
  /** Resolves when every request in flight has been answered. */
  close(): Promise<void>;
}

export async function serveHttp(
  fetch: (request: Request) => Response | Promise<Response>,
  options: { port: number; host: string },
): Promise<HttpServer> {
  const server = await new Promise<ReturnType<typeof serve>>((ready) => {
    const s = serve({ fetch, port: options.port, hostname: options.host }, () => ready(s));
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${options.host}:${port}`,
    close() {
      closing ??= (async () => {
        // Stop accepting; finish requests in flight; drop idle keep-alive connections now
        // rather than waiting for their timeout.
        const closed = new Promise<void>((done) => server.close(() => done()));
        if ("closeIdleConnections" in server) server.closeIdleConnections();
        await closed;
      })();
      return closing;
    },
  };
}
