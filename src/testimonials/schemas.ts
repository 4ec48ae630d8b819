/** What members and people type into the testimonial forms, validated once. */
import { z } from "zod";
import { invalid } from "../errors.js";

const optionalLine = (label: string) =>
  z
    .string({ error: `${label} must be text` })
    .trim()
    .max(80, `${label} is at most 80 characters`)
    .transform((v) => (v === "" ? null : v))
    .nullable()
    .optional()
    .transform((v) => v ?? null);

/** A member asks a person, by name and email. */
export const requestInput = z.object({
  name: z
    .string({ error: "Enter the person's name" })
    .trim()
    .min(1, "Enter the person's name")
    .max(120, "At most 120 characters"),
  email: z
    .string({ error: "Enter an email address, like dana@example.com" })
    .trim()
    .toLowerCase()
    .pipe(z.email("Enter an email address, like dana@example.com").max(254)),
});
export type RequestInput = z.input<typeof requestInput>;

/** The text as it would be published: the quote, the name shown, an optional role and company. */
export const contentInput = z.object({
  quote: z
    .string({ error: "Write your testimonial" })
    .trim()
    .min(10, "Write at least 10 characters")
    .max(600, "The testimonial is at most 600 characters"),
  displayName: z
    .string({ error: "Enter the name to show, such as your first name" })
    .trim()
    .min(1, "Enter the name to show, such as your first name")
    .max(80, "The name is at most 80 characters"),
  role: optionalLine("The role"),
  company: optionalLine("The company"),
});
export type ContentInput = z.input<typeof contentInput>;
export type Content = z.output<typeof contentInput>;

/** A version number from a form: what the person or member was shown. */
export const versionInput = z.coerce
  .number({ message: "The form is incomplete: reload the page" })
  .int()
  .min(0)
  .max(1_000_000);

/**
 * Validates `input` with `schema`; the first problem becomes a VALIDATION_FAILED on its field.
 * @throws AppError VALIDATION_FAILED
 */
export function parse<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw invalid(issue?.path.join(".") || "form", issue?.message ?? "Invalid input");
}
