/**
 * A small node:http server on 127.0.0.1 for the feed tests: each path answers as the test sets
 * it up, and every request is recorded.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";

export type Handler = (request: IncomingMessage, response: ServerResponse) => void;

export interface FeedServer {
  baseUrl: string;
  requests: IncomingMessage[];
  route(path: string, handler: Handler): void;
  close(): Promise<void>;
}

export async function startFeedServer(): Promise<FeedServer> {
  const routes = new Map<string, Handler>();
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    const handler = routes.get(request.url ?? "");
    if (handler === undefined) {
      response.writeHead(404).end("not found");
      return;
    }
    handler(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : 0;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    route: (path, handler) => routes.set(path, handler),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
