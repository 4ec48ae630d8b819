/** Reading service input through a schema: the first problem becomes a field error. */
import type { z } from "zod";
import { invalid } from "../errors.js";

/**
 * Parses `input` with `schema`, or throws VALIDATION_FAILED naming the first bad field in
 * dotted form (`sessions.1.durationMinutes`).
 * @example parseInput(candidateInput, { name: "", email: "a@b.c" }) // throws field "name"
 */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw invalid(issue?.path.join(".") ?? "", issue?.message ?? "Invalid input");
}
