/**
 * The inbound-parse webhook: a mail provider (or a relay of one's own) posts each message it
 * received for a connected address, raw, in JSON. Authenticated per mailbox connection, not by
 * a member: HTTP Basic with the connection's id and key, or `X-Ally-Mailbox` with an
 * `X-Ally-Signature` HMAC of the raw message (mail/mailboxes/webhook.ts).
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { invalid } from "../../errors.js";
import { errorResponses } from "../api/common.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";

export const INBOUND_MAIL_PATH = "/api/v1/inbound-mail";

/** The most a post may carry: the message limit in base64, and room for the rest of the JSON. */
const maxPostBytes = (maxMessageBytes: number) => Math.ceil((maxMessageBytes * 4) / 3) + 64 * 1024;

const InboundMailPost = z
  .object({
    raw: z.string().min(1).openapi({
      description:
        "The message as received (RFC 5322), or base64 of it; at most MAILBOX_MAX_BYTES once decoded",
    }),
    encoding: z.enum(["text", "base64"]).optional().openapi({ example: "text" }),
    envelope: z
      .object({
        from: z
          .string()
          .max(320)
          .optional()
          .openapi({ description: "MAIL FROM as the provider saw it; empty for a bounce" }),
      })
      .optional(),
  })
  .openapi("InboundMailPost");

const Received = z
  .object({
    stored: z.boolean().openapi({ description: "false: already stored (a retry or a copy)" }),
    messageId: z.string(),
  })
  .openapi("InboundMailReceived");

export function registerMailboxWebhook(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  // Counted as it arrives: a post larger than any message Ally keeps is not read to its end.
  app.use(INBOUND_MAIL_PATH, (c, next) => {
    const maxBytes = c.get("deps").config.mail.mailboxes.maxBytes;
    return bodyLimit({
      maxSize: maxPostBytes(maxBytes),
      onError: () => {
        throw invalid("raw", `the message is larger than ${maxBytes} bytes`);
      },
    })(c, next);
  });
  defineRoute(app, routes, {
    method: "POST",
    path: INBOUND_MAIL_PATH,
    kind: "api",
    access: "public",
    summary: "Receive a raw message from a mail provider's inbound parse (per-mailbox key)",
    input: {
      body: { content: { "application/json": { schema: InboundMailPost } }, required: true },
    },
    operation: {
      tags: ["Mail"],
      security: [{ mailboxBasic: [] }],
      responses: {
        200: {
          description: "Stored, or already stored",
          content: { "application/json": { schema: Received } },
        },
        ...errorResponses,
      },
    },
    handler: async (c) => {
      const received = await c.get("deps").mailboxes.receive(
        {
          authorization: c.req.header("authorization"),
          mailboxId: c.req.header("x-ally-mailbox"),
          signature: c.req.header("x-ally-signature"),
        },
        c.req.valid("json"),
      );
      return c.json(received, 200);
    },
  });
}
