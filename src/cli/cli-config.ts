/** The configuration a command-line command runs with, or undefined after saying what is wrong. */
import type { Config } from "../config.js";
import type { SlotsIo } from "./slots.js";

export async function configFrom(
  env: Record<string, string | undefined>,
  io: SlotsIo,
): Promise<Config | undefined> {
  const { loadConfig } = await import("../config.js");
  const loaded = loadConfig(env);
  if (!loaded.ok) {
    io.stderr(`ally: invalid configuration: ${loaded.errors.join("; ")}`);
    return undefined;
  }
  return loaded.config;
}
