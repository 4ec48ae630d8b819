/**
 * A real SMTP relay on loopback (the `smtp-server` package) that a test can take down, make
 * refuse every session with a temporary error, and bring back on the same port. It records the
 * Message-ID of every message it accepted.
 */
import { SMTPServer } from "smtp-server";

/**
 * `stalling`: takes a message's data and never answers it, like a relay that hangs; the sender
 * is left waiting, and the message is not accepted.
 */
export type RelayState = "closed" | "refusing" | "stalling" | "up";

export interface TestRelay {
  port: number;
  url: string;
  /** Message-IDs in the order they were accepted (a duplicate appears twice). */
  accepted: string[];
  /** Message-IDs whose data arrived while stalling (never answered, so not accepted). */
  stalled: string[];
  set(state: RelayState): Promise<void>;
  close(): Promise<void>;
}

function listen(server: SMTPServer, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const address = server.server.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

export async function startRelay(): Promise<TestRelay> {
  const accepted: string[] = [];
  const stalled: string[] = [];
  let state: RelayState = "up";
  const build = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onConnect(_session, callback) {
        if (state === "refusing") {
          // RFC 5321 4.2.3: 421, service not available; the client should try again later.
          return callback(
            Object.assign(new Error("Service not available, try again later"), {
              responseCode: 421,
            }),
          );
        }
        return callback();
      },
      onData(stream, _session, callback) {
        let data = "";
        stream.setEncoding("utf8");
        stream.on("data", (chunk: string) => {
          data += chunk;
        });
        stream.on("end", () => {
          const id = /^Message-ID:\s*(<[^>]+>)/im.exec(data)?.[1] ?? "(no Message-ID)";
          if (state === "stalling") {
            stalled.push(id);
            return;
          }
          accepted.push(id);
          callback();
        });
      },
    });
  let server: SMTPServer | undefined = build();
  const port = await listen(server, 0);
  const stop = async () => {
    const running = server;
    server = undefined;
    if (running !== undefined) await new Promise<void>((done) => running.close(() => done()));
  };
  return {
    port,
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    stalled,
    async set(next) {
      state = next;
      if (next === "closed") await stop();
      else if (server === undefined) {
        server = build();
        await listen(server, port);
      }
    },
    close: stop,
  };
}
