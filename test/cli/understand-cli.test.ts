/**
 * `ally understand` as a command: JSON on stdin, the reading as JSON on stdout; bad input gives a
 * non-zero exit, exactly one line on stderr and nothing on stdout. Run in process and as a process.
 */
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { understandCommand } from "../../src/cli/understand-command.js";

const repo = resolve(import.meta.dirname, "../..");

// Fri 27 Nov 2026, 10:00 New York; options Tue 1 Dec 14:00 and Wed 2 Dec 10:00 (ET)
const reply = {
  now: "2026-11-27T15:00:00Z",
  timeZone: "America/New_York",
  subject: "Re: Interview with Acme",
  text: "Wednesday works, the 10am one!\n\nOn Thu, Nov 26, 2026 Ally wrote:\n> 1. Tue Dec 1, 2:00 PM",
  proposed: [
    { start: "2026-12-01T19:00:00Z", end: "2026-12-01T20:00:00Z" },
    { start: "2026-12-02T15:00:00Z", end: "2026-12-02T16:00:00Z" },
  ],
};

async function run(stdin: string, args: string[] = []) {
  let stdout = "";
  const stderr: string[] = [];
  const code = await understandCommand(args, {
    readStdin: async () => stdin,
    stdout: (t) => {
      stdout += t;
    },
    stderr: (l) => {
      stderr.push(l);
    },
  });
  return { code, stdout, stderr };
}

describe("ally understand", () => {
  it("prints the reading of a reply as JSON", async () => {
    const r = await run(JSON.stringify(reply));
    expect(r.code).toBe(0);
    expect(r.stderr).toEqual([]);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ intent: "accept", choice: 2, windows: [], unavailable: [] });
    expect(out.confidence).toBeGreaterThanOrEqual(0);
  });

  it("accepts a reply without proposed options, subject or zone", async () => {
    const r = await run(JSON.stringify({ now: "2026-11-27T15:00:00Z", text: "unsubscribe" }));
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).intent).toBe("opt_out");
  });

  it.each([
    ["not JSON", "{"],
    ["an array", "[]"],
    ["no now", JSON.stringify({ text: "hi" })],
    ["no text", JSON.stringify({ now: "2026-11-27T15:00:00Z" })],
    ["a bad instant", JSON.stringify({ now: "yesterday", text: "hi" })],
    [
      "an unknown zone",
      JSON.stringify({ now: "2026-11-27T15:00:00Z", timeZone: "Mars/Olympus", text: "hi" }),
    ],
    [
      "an option that ends before it starts",
      JSON.stringify({
        ...reply,
        proposed: [{ start: "2026-12-02T15:00:00Z", end: "2026-12-01T15:00:00Z" }],
      }),
    ],
    ["empty input", ""],
  ])("refuses %s with one line on stderr and nothing on stdout", async (_name, stdin) => {
    const r = await run(stdin);
    expect(r.code).not.toBe(0);
    expect(r.stdout).toBe("");
    expect(r.stderr).toHaveLength(1);
    expect(r.stderr[0]).not.toContain("\n");
  });

  it("refuses arguments", async () => {
    const r = await run(JSON.stringify(reply), ["--verbose"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
  });
});

describe("ally understand as a process", () => {
  const ally = (stdin: string) =>
    spawnSync(
      process.execPath,
      [
        "--import",
        "tsx",
        "-e",
        "import('./src/cli/main.ts').then(async (m) => { process.exitCode = await m.main(['understand']); })",
      ],
      { cwd: repo, input: stdin, encoding: "utf8", timeout: 60_000 },
    );

  it("reads stdin and writes one JSON reading on stdout", () => {
    const result = ally(JSON.stringify(reply));
    expect(result.status).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ intent: "accept", choice: 2 });
    expect(result.stderr).toBe("");
  });

  it("exits non-zero with one line on stderr and nothing on stdout for bad input", () => {
    const result = ally('{"text": "no now"}');
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
