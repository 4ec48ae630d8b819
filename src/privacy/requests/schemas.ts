/** Input shapes of data-subject requests. */
import { z } from "zod";

export const REQUEST_KINDS = [
  "access",
  "portability",
  "rectification",
  "restriction",
  "objection",
  "erasure",
] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

export const KIND_LABELS: Record<RequestKind, string> = {
  access: "A copy of my data (access)",
  portability: "My data in a machine-readable file (portability)",
  rectification: "Correct my data (rectification)",
  restriction: "Stop using my data for now (restriction)",
  objection: "Stop analytics and marketing about me (objection)",
  erasure: "Delete my data (erasure)",
};

export const jurisdictionSchema = z.enum(["gdpr", "ccpa"]);

export const publicRequestInput = z.object({
  email: z
    .string()
    .trim()
    .toLowerCase()
    .email("Enter the email address the data is about.")
    .max(254),
  kind: z.enum(REQUEST_KINDS, { message: "Choose what you are asking for." }),
  details: z.string().trim().max(4000, "Keep the details under 4,000 characters.").optional(),
  jurisdiction: jurisdictionSchema.default("gdpr"),
});
export type PublicRequestInput = z.infer<typeof publicRequestInput>;

export const verifyInput = z.object({
  verification: z.string().regex(/^pv_[A-Za-z0-9_-]{8,64}$/, "This request form has expired."),
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the six-digit code from the email."),
});

export const memberRequestInput = publicRequestInput.omit({ email: true });

export const completeInput = z.object({
  request: z.string().regex(/^prq_[A-Za-z0-9_-]{8,64}$/, "No such request."),
  action: z.enum(["complete", "refuse", "extend"]),
});
