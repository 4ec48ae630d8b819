/**
 * The access / portability package (GDPR art. 15 and 20): one zip with a readable summary
 * (`summary.html`), every record about the person from every module as JSON (`data.json`,
 * machine-readable for portability), and their interviews as iCalendar (`interviews.ics`).
 * Pure: the records are collected by the caller through each module's `person-records.ts`.
 */
import { storedZip, type ZipEntry } from "./export-zip.js";

export interface RecordSection {
  /** The module the records come from, e.g. `hiring`. */
  module: string;
  /** A heading a person understands, e.g. "Candidate records kept by Acme Ltd". */
  title: string;
  records: ReadonlyArray<Record<string, unknown>>;
}

export interface AccessExport {
  email: string;
  /** Epoch milliseconds, stated in the package as RFC 3339. */
  generatedAtMs: number;
  sections: readonly RecordSection[];
  /** A VCALENDAR of the person's interviews, or null when they have none. */
  interviewsIcs: string | null;
}

function escapeHtml(text: string): string {
  return text
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&#39;");
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return "";
  return escapeHtml(typeof value === "string" ? value : JSON.stringify(value));
}

function sectionHtml(section: RecordSection): string {
  const rows = section.records
    .map(
      (record) =>
        `<table>${Object.entries(record)
          .map(([key, value]) => `<tr><th>${escapeHtml(key)}</th><td>${cell(value)}</td></tr>`)
          .join("")}</table>`,
    )
    .join("\n");
  return `<section><h2>${escapeHtml(section.title)}</h2>${
    section.records.length === 0 ? "<p>Nothing is held.</p>" : rows
  }</section>`;
}

/** The readable summary: who, when, what each module holds. */
export function summaryHtml(input: AccessExport): string {
  const when = new Date(input.generatedAtMs).toISOString();
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Your data held by Ally</title></head>
<body>
<h1>Your data</h1>
<p>Everything held about ${escapeHtml(input.email)}, as of ${when}. The same records are in
<code>data.json</code> for use elsewhere${input.interviewsIcs === null ? "" : ", and your interviews are in <code>interviews.ics</code>, which any calendar opens"}.</p>
${input.sections.map(sectionHtml).join("\n")}
</body></html>
`;
}

/** The files of the package, in the order they are zipped. */
export function accessExportFiles(input: AccessExport): ZipEntry[] {
  const encoder = new TextEncoder();
  const data = {
    email: input.email,
    generatedAt: new Date(input.generatedAtMs).toISOString(),
    modules: Object.fromEntries(input.sections.map((s) => [s.module, s.records])),
  };
  const files: ZipEntry[] = [
    { name: "summary.html", data: encoder.encode(summaryHtml(input)) },
    { name: "data.json", data: encoder.encode(`${JSON.stringify(data, null, 2)}\n`) },
  ];
  if (input.interviewsIcs !== null) {
    files.push({ name: "interviews.ics", data: encoder.encode(input.interviewsIcs) });
  }
  return files;
}

/** The package as zip bytes. */
export function accessExportZip(input: AccessExport): Uint8Array {
  return storedZip(accessExportFiles(input));
}
