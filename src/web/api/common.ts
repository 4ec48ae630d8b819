/** Shared pieces of the JSON API: the error schema and the signed-in caller. */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Actor } from "../../accounts/service.js";
import { AppError, ERROR_CODES } from "../../errors.js";
import type { AppEnv } from "../env.js";
import { HTTP_STATUS } from "../errors.js";

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

/** The codes answered with `status`, from the one table, for the document's descriptions. */
function codesAnswering(status: number): string {
  const codes = ERROR_CODES.filter((code) => HTTP_STATUS[code] === status);
  return codes.map((code) => `\`${code}\``).join(", ");
}

const errorResponse = (status: number, description: string) => ({
  description: `${description} (${codesAnswering(status)})`,
  content: { "application/json": { schema: errorSchema } },
});

export const errorResponses = {
  400: errorResponse(400, "A link or token that is not valid"),
  401: errorResponse(401, "No valid API token or session"),
  403: errorResponse(403, "The caller's role does not allow this"),
  404: errorResponse(404, "No such object in the caller's organisation"),
  409: errorResponse(409, "Conflicts with the current state; `code` says how"),
  422: errorResponse(422, "Invalid input; `field` names the field"),
  429: errorResponse(429, "Too many attempts; wait as `Retry-After` says"),
  502: errorResponse(502, "A calendar server failed or refused"),
  503: errorResponse(503, "Unavailable for a moment; try again after `Retry-After`"),
} as const;

export function apiActor(c: Context<AppEnv>): Actor {
  const actor = c.get("actor");
  if (actor === undefined)
    throw new AppError("UNAUTHENTICATED", "Send an API token: Authorization: Bearer <token>.");
  return actor;
}

export const security = [{ bearer: [] }];
