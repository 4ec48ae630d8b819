/**
 * Input schemas for accounts, shared by the JSON API (and its OpenAPI document) and the pages.
 * Messages are written for people: they appear next to the field.
 */
import { z } from "zod";
import { ROLES } from "./tables.js";
import { tokenScopesSchema } from "./token-scopes.js";

/** "X is required" when the field is missing; "X must be text" when it is something else. */
export const textError =
  (label: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined || issue.input === null
      ? `${label} is required`
      : `${label} must be text`;

const trimmed = (label: string, max: number) =>
  z
    .string({ error: textError(label) })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`);

export const emailField = z
  .string({ error: textError("Email") })
  .trim()
  .toLowerCase()
  .pipe(z.email("Enter an email address like name@example.com"));

export const passwordField = z
  .string({ error: textError("Password") })
  .min(12, "Use at least 12 characters")
  .max(200, "Use at most 200 characters");

export const signUpInput = z.object({
  name: trimmed("Name", 200),
  email: emailField,
  phone: z
    .string({ error: textError("Telephone") })
    .trim()
    .regex(/^\+?[0-9 ()./-]{6,30}$/, "Enter a telephone number, e.g. +44 20 7946 0958"),
  postalAddress: trimmed("Postal address", 500),
  company: trimmed("Company name", 200),
  password: passwordField,
});
export type SignUpInput = z.infer<typeof signUpInput>;

export const signInInput = z.object({
  email: emailField,
  password: z.string({ error: textError("Password") }).min(1, "Password is required"),
});

export const secondFactorInput = z.object({
  code: z
    .string()
    .trim()
    .regex(/^\d{6}$/, "Enter the six-digit code from your authenticator app"),
});

/** Turning two-step sign-in off asks for the password again. */
export const disableSecondFactorInput = z.object({
  password: z.string({ error: textError("Password") }).min(1, "Password is required"),
});

export const resetRequestInput = z.object({ email: emailField });
export const resetInput = z.object({ token: z.string().min(1), password: passwordField });

export const roleField = z.enum(ROLES, { error: `Role must be one of ${ROLES.join(", ")}` });

export const inviteInput = z.object({ email: emailField, role: roleField });

export const acceptInvitationInput = z.object({
  token: z.string().min(1),
  name: trimmed("Name", 200).optional(),
  phone: z
    .string()
    .trim()
    .regex(/^\+?[0-9 ()./-]{6,30}$/, "Enter a telephone number, e.g. +44 20 7946 0958")
    .optional(),
  postalAddress: trimmed("Postal address", 500).optional(),
  password: passwordField.optional(),
});

export const roleChangeInput = z.object({ role: roleField });
/** A new API token: what it is for, and what it may do (read only unless asked). */
export const apiTokenInput = z.object({
  name: trimmed("Name", 100),
  scopes: tokenScopesSchema.default(["read"]),
});

/** The account page's token form: one choice, read only or read and write. */
export const apiTokenFormInput = z.object({
  name: trimmed("Name", 100),
  access: z.enum(["read", "read-write"], { error: "Choose what the token may do" }),
});

const phonePattern = /^\+?[0-9 ()./-]{6,30}$/;

/**
 * A member's own details. Telephone and postal address are optional (empty clears them); a new
 * email takes effect only once confirmed from that address.
 */
export const profileInput = z.object({
  name: trimmed("Name", 200),
  email: emailField,
  phone: z
    .string({ error: textError("Telephone") })
    .trim()
    .max(30, "Telephone must be at most 30 characters")
    .refine(
      (v) => v === "" || phonePattern.test(v),
      "Enter a telephone number, e.g. +44 20 7946 0958",
    )
    .default(""),
  postalAddress: z
    .string({ error: textError("Postal address") })
    .trim()
    .max(500, "Postal address must be at most 500 characters")
    .default(""),
});
export type ProfileInput = z.infer<typeof profileInput>;

/** The organisation's own details, edited by an owner. */
export const organisationInput = z.object({ name: trimmed("Organisation name", 200) });
export type OrganisationInput = z.infer<typeof organisationInput>;

/** Confirming a new address: the token from the link mailed to it. */
export const confirmEmailChangeInput = z.object({ token: z.string().min(1).max(200) });
