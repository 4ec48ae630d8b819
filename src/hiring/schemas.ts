/**
 * Input schemas for the hiring module (jobs, candidates, pools, loop templates, interviewer
 * profiles), shared by the JSON API, its OpenAPI document and the pages.
 */
import { z } from "zod";

export const optionalText = (label: string, max: number) =>
  z
    .string()
    .trim()
    .max(max, `${label} must be at most ${max} characters`)
    .optional()
    .transform((v) => (v === undefined || v === "" ? null : v));

export const requiredText = (label: string, max: number) =>
  z
    .string({ error: `${label} is required` })
    .trim()
    .min(1, `${label} is required`)
    .max(max, `${label} must be at most ${max} characters`);

export const jobInput = z.object({
  title: requiredText("Title", 200),
  department: optionalText("Department", 200),
  location: optionalText("Location", 200),
  description: optionalText("Description", 5000),
});
export type JobInput = z.infer<typeof jobInput>;

export const jobOutput = z.object({
  id: z.string(),
  title: z.string(),
  department: z.string().nullable(),
  location: z.string().nullable(),
  description: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Job = z.infer<typeof jobOutput>;
