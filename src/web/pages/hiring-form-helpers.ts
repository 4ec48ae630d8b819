/**
 * Helpers for the hiring forms that repeat rows (loop sessions, working hours) or carry
 * several values under one name (checkboxes). Plain HTML forms, no scripts: a page shows a few
 * rows, empty rows are dropped, and errors are reported against the row the person typed in.
 */
import type { Context } from "hono";
import type { AppEnv } from "../env.js";
import type { FieldErrors } from "../layout.js";

/** Every value of every field; repeated names (checkboxes) keep all their values. */
export async function allFormValues(c: Context<AppEnv>): Promise<Map<string, string[]>> {
  const body = await c.req.parseBody({ all: true });
  const values = new Map<string, string[]>();
  for (const [key, value] of Object.entries(body)) {
    if (key === "_csrf") continue;
    const list = (Array.isArray(value) ? value : [value]).filter(
      (v): v is string => typeof v === "string",
    );
    values.set(key, list);
  }
  return values;
}

/** The last value of a field, or "". */
export function one(values: Map<string, string[]>, name: string): string {
  const list = values.get(name);
  return list?.[list.length - 1] ?? "";
}

/** A form's number: blank is absent; digits become a number; anything else stays text. */
export function formNumber(text: string): number | string | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  return /^-?\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/**
 * Rewrites `prefix.K.rest` fields, where K indexes the non-empty rows that were submitted, to
 * `prefix.R.rest` with R the row shown on the page (a whole-row error goes to `firstField`),
 * and starts the message with the row's name, since every row has fields of the same labels.
 */
export function errorsForRows(
  errors: FieldErrors,
  prefix: string,
  rowOf: number[],
  firstField: string,
  rowName: (row: number) => string,
): FieldErrors {
  const result: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    const match = new RegExp(`^${prefix}\\.(\\d+)(\\..*)?$`).exec(field);
    const row = match ? rowOf[Number(match[1])] : undefined;
    const key =
      match && row !== undefined ? `${prefix}.${row}${match[2] ?? `.${firstField}`}` : field;
    result[key] ??= match && row !== undefined ? `${rowName(row)}: ${message}` : message;
  }
  return result;
}
