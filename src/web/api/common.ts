/** Shared pieces of the JSON API: the error schema and the signed-in caller. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Actor } from "../../accounts/service.js";
import { AppError, ERROR_CODES } from "../../errors.js";
import type { AppEnv } from "../env.js";

export const errorSchema = z
  .object({
    error: z.object({
      code: z.enum([...ERROR_CODES, "INTERNAL"]).openapi({
        example: "VALIDATION_FAILED",
        description: "What happened; each code has one HTTP status (src/web/errors.ts).",
      }),
      message: z.string().openapi({ example: "Title is required" }),
      field: z.string().optional().openapi({ example: "title" }),
      detail: z
        .record(z.string(), z.unknown())
        .optional()
        .openapi({ description: "What the caller needs to go on, e.g. fresh options" }),
    }),
  })
  .openapi("Error");

export const errorResponses = {
  401: {
    description: "No valid API token or session",
    content: { "application/json": { schema: errorSchema } },
  },
  403: {
    description: "The caller's role does not allow this",
    content: { "application/json": { schema: errorSchema } },
  },
  404: {
    description: "No such object in the caller's organisation",
    content: { "application/json": { schema: errorSchema } },
  },
  409: {
    description: "Conflicts with the current state",
    content: { "application/json": { schema: errorSchema } },
  },
  422: {
    description: "Invalid input; `field` names the field",
    content: { "application/json": { schema: errorSchema } },
  },
} as const;

export function apiActor(c: Context<AppEnv>): Actor {
  const actor = c.get("actor");
  if (actor === undefined)
    throw new AppError("UNAUTHENTICATED", "Send an API token: Authorization: Bearer <token>.");
  return actor;
}

export const security = [{ bearer: [] }];
