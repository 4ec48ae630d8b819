/**
 * The access package: a zip that standard tools open and verify (Debian's `unzip`), holding a
 * readable summary, every record as JSON, and the interviews as iCalendar.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { accessExportZip } from "../../src/privacy/export.js";
import { crc32, storedZip } from "../../src/privacy/export-zip.js";

const dir = mkdtempSync(join(tmpdir(), "ally-export-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs Debian's unzip on the bytes: `options`, the archive, then the `members` to act on. */
function unzip(bytes: Uint8Array, options: string, ...members: string[]): string {
  const file = join(dir, `export-${Math.random().toString(36).slice(2)}.zip`);
  writeFileSync(file, bytes);
  return execFileSync("unzip", [options, file, ...members], {
    encoding: "utf8",
    env: { ...process.env, LC_ALL: "C.UTF-8" },
  });
}

const ICS =
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Ally//EN\r\nBEGIN:VEVENT\r\nUID:bk_1@ally\r\nDTSTAMP:20261201T140000Z\r\nDTSTART:20261202T090000Z\r\nDTEND:20261202T100000Z\r\nSUMMARY:Interview\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";

describe("the zip writer", () => {
  it("computes the CRC-32 check value of the standard test string", () => {
    expect(crc32(new TextEncoder().encode("123456789"))).toBe(0xcbf43926);
  });

  it("writes archives that unzip tests as sound, with empty files", () => {
    const bytes = storedZip([
      { name: "a.txt", data: new TextEncoder().encode("hello") },
      { name: "dossier/notes.txt", data: new TextEncoder().encode("Zoë") },
      { name: "empty.txt", data: new Uint8Array() },
    ]);
    expect(unzip(bytes, "-tq")).toContain("No errors detected");
    expect(unzip(bytes, "-Z1").trim().split("\n")).toEqual([
      "a.txt",
      "dossier/notes.txt",
      "empty.txt",
    ]);
    expect(unzip(bytes, "-p", "dossier/notes.txt")).toBe("Zoë");
  });

  it("marks names as UTF-8 (general purpose flag bit 11) and stores them so", () => {
    const name = "résumé.txt";
    const bytes = storedZip([{ name, data: new Uint8Array([1]) }]);
    const view = new DataView(bytes.buffer);
    expect(view.getUint16(6, true) & 0x0800).toBe(0x0800);
    expect(Buffer.from(bytes.subarray(30, 30 + Buffer.byteLength(name))).toString("utf8")).toBe(
      name,
    );
  });
});

describe("the access package", () => {
  // Tue 1 Dec 2026, 14:00 UTC
  const generatedAtMs = Date.UTC(2026, 11, 1, 14);
  const input = {
    email: "cara@example.com",
    generatedAtMs,
    sections: [
      {
        module: "hiring",
        title: "Candidate records kept by Acme <Ltd>",
        records: [{ name: "Cara Candidate", email: "cara@example.com", phone: null }],
      },
      { module: "mail", title: "Mail sent to you", records: [] },
    ],
    interviewsIcs: ICS,
  };

  it("holds a readable summary, every record as JSON and the interviews as iCalendar", () => {
    const bytes = accessExportZip(input);
    expect(unzip(bytes, "-Z1").trim().split("\n")).toEqual([
      "summary.html",
      "data.json",
      "interviews.ics",
    ]);
    const summary = unzip(bytes, "-p", "summary.html");
    expect(summary).toContain("Candidate records kept by Acme &lt;Ltd&gt;");
    expect(summary).toContain("Cara Candidate");
    expect(summary).toContain("Nothing is held.");
    expect(summary).toContain("2026-12-01T14:00:00.000Z");
    const data = JSON.parse(unzip(bytes, "-p", "data.json"));
    expect(data).toEqual({
      email: "cara@example.com",
      generatedAt: "2026-12-01T14:00:00.000Z",
      modules: { hiring: input.sections[0]?.records, mail: [] },
    });
  });

  it("leaves the calendar file out when the person has no interviews", () => {
    const bytes = accessExportZip({ ...input, interviewsIcs: null });
    expect(unzip(bytes, "-Z1")).not.toContain("interviews.ics");
  });
});
