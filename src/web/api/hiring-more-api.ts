/**
 * JSON API for candidates, interviewer pools, loop templates and interviewers' profiles.
 * Collections share one shape (see hiring-crud-api.ts); a profile is one object per member.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import {
  type CandidateInput,
  candidateInput,
  candidateOutput,
  type InterviewerProfileInput,
  interviewerProfileInput,
  interviewerProfileOutput,
  type LoopTemplateInput,
  loopTemplateInput,
  loopTemplateOutput,
  type PoolInput,
  poolInput,
  poolOutput,
} from "../../hiring/schemas.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import type { RouteTable } from "../route-table.js";
import { apiActor, errorResponses, security } from "./common.js";
import { json, named, registerCollectionApi } from "./hiring-crud-api.js";

const Candidate = named(candidateOutput, "Candidate");
const CandidateInputSchema = named(candidateInput, "CandidateInput");
const Pool = named(poolOutput, "Pool");
const PoolInputSchema = named(poolInput, "PoolInput");
const LoopTemplate = named(loopTemplateOutput, "LoopTemplate");
const LoopTemplateInputSchema = named(loopTemplateInput, "LoopTemplateInput");
const InterviewerProfile = named(interviewerProfileOutput, "InterviewerProfile");
const InterviewerProfileInputSchema = named(interviewerProfileInput, "InterviewerProfileInput");

const userIdParam = z.object({
  userId: z.string().openapi({ param: { name: "userId", in: "path" }, example: "user_3kqX" }),
});

export function registerMoreHiringApi(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerCollectionApi<CandidateInput, unknown>(app, routes, {
    tag: "Candidates",
    noun: "candidate",
    listKey: "candidates",
    path: "/api/v1/candidates",
    param: "candidateId",
    objectKind: "candidate",
    example: "cand_3kqX",
    read: "candidates:read",
    write: "candidates:write",
    input: CandidateInputSchema,
    output: Candidate,
    list: (hiring, actor) => hiring.listCandidates(actor),
    get: (hiring, actor, id) => hiring.getCandidate(actor, id),
    create: (hiring, actor, input) => hiring.createCandidate(actor, input),
    update: (hiring, actor, id, input) => hiring.updateCandidate(actor, id, input),
    remove: (hiring, actor, id) => hiring.deleteCandidate(actor, id),
  });

  registerCollectionApi<PoolInput, unknown>(app, routes, {
    tag: "Interviewer pools",
    noun: "interviewer pool",
    listKey: "pools",
    path: "/api/v1/pools",
    param: "poolId",
    objectKind: "pool",
    example: "pool_3kqX",
    read: "hiring:read",
    write: "hiring:write",
    input: PoolInputSchema,
    output: Pool,
    list: (hiring, actor) => hiring.listPools(actor),
    get: (hiring, actor, id) => hiring.getPool(actor, id),
    create: (hiring, actor, input) => hiring.createPool(actor, input),
    update: (hiring, actor, id, input) => hiring.updatePool(actor, id, input),
    remove: (hiring, actor, id) => hiring.deletePool(actor, id),
  });

  registerCollectionApi<LoopTemplateInput, unknown>(app, routes, {
    tag: "Loop templates",
    noun: "loop template",
    listKey: "loopTemplates",
    path: "/api/v1/loop-templates",
    param: "templateId",
    objectKind: "loop-template",
    example: "loop_3kqX",
    read: "hiring:read",
    write: "hiring:write",
    input: LoopTemplateInputSchema,
    output: LoopTemplate,
    list: (hiring, actor) => hiring.listLoopTemplates(actor),
    get: (hiring, actor, id) => hiring.getLoopTemplate(actor, id),
    create: (hiring, actor, input) => hiring.createLoopTemplate(actor, input),
    update: (hiring, actor, id, input) => hiring.updateLoopTemplate(actor, id, input),
    remove: (hiring, actor, id) => hiring.deleteLoopTemplate(actor, id),
  });

  const profile = { objectParam: "userId", objectKind: "member" as const };
  defineRoute(app, routes, {
    method: "GET",
    path: "/api/v1/interviewers/:userId/profile",
    kind: "api",
    access: "member",
    ...profile,
    summary: "Get an interviewer's time zone, working hours and limits",
    input: { params: userIdParam },
    operation: {
      description:
        "Any member may read. When nothing is saved yet, `saved` is false and the suggested defaults (UTC, Monday to Friday 09:00–17:00) are returned.",
      tags: ["Interviewers"],
      security,
      responses: { 200: json(InterviewerProfile, "The profile"), ...errorResponses },
    },
    handler: async (c) =>
      c.json(
        await c.get("deps").hiring.getInterviewerProfile(apiActor(c), c.req.valid("param").userId),
        200,
      ),
  });

  defineRoute(app, routes, {
    method: "PUT",
    path: "/api/v1/interviewers/:userId/profile",
    kind: "api",
    access: "member",
    ...profile,
    summary: "Replace an interviewer's time zone, working hours and limits",
    input: {
      params: userIdParam,
      body: {
        content: { "application/json": { schema: InterviewerProfileInputSchema } },
        required: true,
      },
    },
    operation: {
      description:
        "A member may replace their own profile; owners, admins and recruiters (`profiles:edit-any`) anyone's in the organisation. `workingHours` is a list of `{ days, start, end }` in the interviewer's zone; an `end` at or before `start` runs overnight.",
      tags: ["Interviewers"],
      security,
      responses: { 200: json(InterviewerProfile, "The saved profile"), ...errorResponses },
    },
    handler: async (c) =>
      c.json(
        await c
          .get("deps")
          .hiring.putInterviewerProfile(
            apiActor(c),
            c.req.valid("param").userId,
            c.req.valid("json") as InterviewerProfileInput,
          ),
        200,
      ),
  });
}
