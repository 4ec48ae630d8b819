/** Small helpers shared by pages: who is signed in, and reading a form through a schema. */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";
import type { Actor } from "../accounts/service.js";
import { AppError } from "../errors.js";
import type { AppEnv } from "./env.js";
import { HTTP_STATUS, toAppError } from "./errors.js";
import type { FieldErrors } from "./layout.js";

/** The signed-in member, or an UNAUTHENTICATED error (pages redirect to sign-in). */
export function requireActor(c: Context<AppEnv>): Actor {
  const actor = c.get("actor");
  if (actor === undefined) throw new AppError("UNAUTHENTICATED", "Sign in to continue.");
  return actor;
}

export type FormValues = Record<string, string>;

export async function formValues(c: Context<AppEnv>): Promise<FormValues> {
  const body = await c.req.parseBody({ all: false });
  const values: FormValues = {};
  for (const [key, value] of Object.entries(body)) {
    if (typeof value === "string" && key !== "_csrf") values[key] = value;
  }
  return values;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

/** Validates form values; on failure, one message per field, keyed by the field's name. */
export function parseForm<S extends z.ZodType>(schema: S, values: unknown): Parsed<z.infer<S>> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = issue.path.join(".") || "form";
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** Turns an expected service error about a field into form errors; rethrows the rest. */
export function fieldErrorsFrom(error: unknown, fallbackField = "form"): FieldErrors {
  if (error instanceof AppError && error.code !== "NOT_FOUND" && error.code !== "FORBIDDEN") {
    return { [error.field ?? fallbackField]: error.message };
  }
  throw error;
}

/** The status of a page whose form did not parse: the one for VALIDATION_FAILED. */
export const INVALID_FORM: ContentfulStatusCode = HTTP_STATUS.VALIDATION_FAILED;

/**
 * A service error shown on the form it came from: one message on the field at fault, and the
 * status the one table (src/web/errors.ts) gives its code, so a page answers as the API does
 * (a rate limit is 429 on both, with Retry-After). Rethrows NOT_FOUND, FORBIDDEN and anything
 * that is not an expected error, for the error page.
 * @example const failed = formFailure(c, error, "email"); return c.html(page(failed.errors), failed.status);
 */
export function formFailure(
  c: Context<AppEnv>,
  error: unknown,
  fallbackField = "form",
): { errors: FieldErrors; status: ContentfulStatusCode; code: AppError["code"] } {
  const known = toAppError(error);
  const errors = fieldErrorsFrom(known, fallbackField);
  const appError = known as AppError;
  const retryAfter = appError.detail?.retryAfterSeconds;
  if (typeof retryAfter === "number") c.header("Retry-After", String(retryAfter));
  return { errors, status: HTTP_STATUS[appError.code], code: appError.code };
}

/** A same-site path to go to after signing in; anything else becomes /app. */
export function safeNext(next: string | undefined): string {
  return next !== undefined && /^\/[A-Za-z0-9/_\-?=&.%]*$/.test(next) && !next.startsWith("//")
    ? next
    : "/app";
}

/** The error a delete form shows when its confirmation box was not ticked. */
export const UNCONFIRMED_DELETE: FieldErrors = {
  confirm: "Tick the box to confirm that you want to delete this.",
};

/** Whether a delete form came with its confirmation box ticked. */
export async function deleteConfirmed(c: Context<AppEnv>): Promise<boolean> {
  return (await formValues(c)).confirm === "yes";
}
