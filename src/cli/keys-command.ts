/**
 * `ally keys rotate [--data-keys] [--batch-size N]`: re-wraps every data key under the newest
 * master key and re-encrypts old-format secrets; with `--data-keys`, also creates new data
 * keys and re-encrypts every sealed value under them. Safe while `ally serve` runs; run it
 * again after an interruption. Progress goes to stderr on a terminal; the summary to stdout.
 */
import { configFrom } from "./cli-config.js";
import type { SlotsIo } from "./slots.js";

const USAGE = "usage: ally keys rotate [--data-keys] [--batch-size N]";

export async function keysCommand(
  args: readonly string[],
  io: SlotsIo,
  env: Record<string, string | undefined>,
  terminal: { isTTY?: boolean; write(text: string): unknown } = process.stderr,
): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== "rotate") {
    io.stderr(
      `ally keys: ${sub === undefined ? "give a subcommand" : `unknown subcommand "${sub}"`} (${USAGE})`,
    );
    return 2;
  }
  let dataKeys = false;
  let batchSize = 200;
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i];
    if (arg === "--data-keys") dataKeys = true;
    else if (arg === "--batch-size" && /^[1-9][0-9]{0,5}$/.test(rest[i + 1] ?? "")) {
      batchSize = Number(rest[i + 1]);
      i += 1;
    } else {
      io.stderr(`ally keys rotate: unexpected "${arg}" (${USAGE})`);
      return 2;
    }
  }

  const config = await configFrom(env, io);
  if (config === undefined) return 2;
  const { openStore } = await import("../store/database.js");
  const { migrateToLatest } = await import("../store/migrations.js");
  const { loadKeyring } = await import("../secrets/load-keyring.js");
  const { rotateKeys } = await import("../secrets/rotate.js");
  let keyring: ReturnType<typeof loadKeyring>;
  try {
    keyring = loadKeyring(
      config,
      config.database.url.startsWith("sqlite:") ? "sqlite" : "postgres",
    );
  } catch (error) {
    io.stderr(`ally keys rotate: ${(error as Error).message}`);
    return 1;
  }
  const store = openStore(config.database.url);
  let shown = false;
  try {
    await migrateToLatest(store.db, store.dialect);
    const report = await rotateKeys(store.db, keyring, {
      dataKeys,
      batchSize,
      now: io.nowEpochMs(),
      onProgress: (p) => {
        if (terminal.isTTY !== true) return;
        const verb = p.phase === "rewrap" ? "re-wrapping" : "re-encrypting";
        terminal.write(
          `\r\x1b[Kally keys rotate: ${verb} ${p.target}: ${p.done} visited, ${p.changed} changed`,
        );
        shown = true;
      },
    });
    if (shown) terminal.write("\n");
    io.stdout(
      `master key v${report.masterVersion}: ${report.rewrapped} data key(s) re-wrapped, ${report.newDataKeys} new data key(s), ${report.reencrypted} secret(s) re-encrypted\n`,
    );
    for (const failure of report.failures) io.stderr(`ally keys rotate: did not open ${failure}`);
    return report.failures.length === 0 ? 0 : 1;
  } catch (error) {
    if (shown) terminal.write("\n");
    io.stderr(`ally keys rotate: ${(error as Error).message}`);
    return 1;
  } finally {
    await store.close();
  }
}
