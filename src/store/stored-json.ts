/**
 * JSON read back from the database (a column Ally wrote itself, a sealed secret once opened) is
 * still input: a migration, a bug or a hand-edited row can leave anything there. Every stored
 * JSON value is parsed here, against a zod schema, so a bad value fails loudly and names what
 * it was, instead of a silent `as` cast that breaks far away.
 */
import type { z } from "zod";

/** A stored JSON value that is not JSON, or not the shape its schema describes. */
export class StoredJsonError extends Error {
  /** What was stored, e.g. "calendar_connections.calendars of cal_123". */
  readonly what: string;

  constructor(what: string, problem: string, cause?: unknown) {
    super(`stored ${what} is not valid: ${problem}`, { cause });
    this.name = "StoredJsonError";
    this.what = what;
  }
}

/**
 * Parses `text` as JSON and checks it against `schema`.
 * @param what names the stored value for the error (table.column and the row), never its content,
 *   which may be a secret.
 * @throws StoredJsonError when the text is not JSON or does not match the schema.
 * @example parseStoredJson(z.array(z.string()), '["a@b.example"]', "inbound_mail.envelope_to of 7")
 */
export function parseStoredJson<S extends z.ZodType>(
  schema: S,
  text: string,
  what: string,
): z.output<S> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new StoredJsonError(what, "it is not JSON", error);
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue === undefined || issue.path.length === 0 ? "" : ` at ${issue.path.join(".")}`;
    throw new StoredJsonError(what, `${issue?.message ?? "wrong shape"}${at}`);
  }
  return result.data;
}
