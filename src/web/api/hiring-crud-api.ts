/**
 * One shape for the hiring module's collections in the JSON API: list, create, get, replace
 * and delete, each registered in the route table with its access rule and object parameter.
 * Input is validated against the same zod schema that the OpenAPI document shows.
 */
import { type OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Permission } from "../../accounts/permissions.js";
import type { Actor } from "../../accounts/service.js";
import type { HiringService } from "../../hiring/service.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import type { ObjectKind, RouteTable } from "../route-table.js";
import { apiActor, errorResponses, security } from "./common.js";

/**
 * Names an object schema in the OpenAPI document. The domain's schemas are built with plain
 * zod, possibly before `@hono/zod-openapi` has added `.openapi` to zod's types (zod copies
 * methods onto each schema when it is made), so the name goes on a copy made here.
 */
export function named<Shape extends z.ZodRawShape>(
  schema: z.ZodObject<Shape>,
  name: string,
): z.ZodObject<Shape> {
  return z.object(schema.shape).openapi(name);
}

export const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

export interface CollectionApi<In, Out> {
  /** OpenAPI tag, e.g. "Candidates". */
  tag: string;
  /** Singular noun for summaries, e.g. "candidate". */
  noun: string;
  /** Key of the list in the list response, e.g. "candidates". */
  listKey: string;
  /** Collection path in OpenAPI syntax, e.g. "/api/v1/candidates". */
  path: string;
  /** Path parameter naming one object, e.g. "candidateId". */
  param: string;
  objectKind: ObjectKind;
  example: string;
  read: Permission;
  write: Permission;
  input: z.ZodType;
  output: z.ZodType;
  list(hiring: HiringService, actor: Actor): Promise<Out[]>;
  get(hiring: HiringService, actor: Actor, id: string): Promise<Out>;
  create(hiring: HiringService, actor: Actor, input: In): Promise<Out>;
  update(hiring: HiringService, actor: Actor, id: string, input: In): Promise<Out>;
  remove(hiring: HiringService, actor: Actor, id: string): Promise<void>;
}

type C = Context<AppEnv>;

/** The validated JSON body (the route's schema has already been applied by the validator). */
function body<In>(c: C): In {
  return (c.req as unknown as { valid(target: "json"): In }).valid("json");
}

const hiring = (c: C) => c.get("deps").hiring;

export function registerCollectionApi<In, Out>(
  app: OpenAPIHono<AppEnv>,
  routes: RouteTable,
  spec: CollectionApi<In, Out>,
): void {
  const honoPath = `${spec.path}/:${spec.param}`;
  const _openApiPath = `${spec.path}/{${spec.param}}`;
  const params = z.object({
    [spec.param]: z
      .string()
      .openapi({ param: { name: spec.param, in: "path" }, example: spec.example }),
  });
  const one = { objectParam: spec.param, objectKind: spec.objectKind };
  const a = spec.noun.startsWith("a") || spec.noun.startsWith("i") ? "an" : "a";
  const requestBody = {
    content: { "application/json": { schema: spec.input } },
    required: true,
  };
  // The response was typed by the service; the OpenAPI document describes it with `output`.
  const reply = <S extends 200 | 201>(c: C, value: unknown, status: S) =>
    c.json(value as never, status);

  defineRoute(app, routes, {
    method: "GET",
    path: spec.path,
    kind: "api",
    access: { permission: spec.read },
    summary: `List ${spec.listKey}`,
    operation: {
      tags: [spec.tag],
      security,
      responses: {
        200: json(
          z.object({ [spec.listKey]: z.array(spec.output) }),
          `The organisation's ${spec.listKey}`,
        ),
        ...errorResponses,
      },
    },
    handler: async (c) =>
      reply(c, { [spec.listKey]: await spec.list(hiring(c), apiActor(c)) }, 200),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: spec.path,
    kind: "api",
    access: { permission: spec.write },
    summary: `Create ${a} ${spec.noun}`,
    input: { body: requestBody },
    operation: {
      tags: [spec.tag],
      security,
      responses: { 201: json(spec.output, `The new ${spec.noun}`), ...errorResponses },
    },
    handler: async (c) => reply(c, await spec.create(hiring(c), apiActor(c), body<In>(c)), 201),
  });

  defineRoute(app, routes, {
    method: "GET",
    path: honoPath,
    kind: "api",
    access: { permission: spec.read },
    ...one,
    summary: `Get ${a} ${spec.noun}`,
    input: { params },
    operation: {
      tags: [spec.tag],
      security,
      responses: { 200: json(spec.output, `The ${spec.noun}`), ...errorResponses },
    },
    handler: async (c) =>
      reply(c, await spec.get(hiring(c), apiActor(c), c.req.param(spec.param) ?? ""), 200),
  });

  defineRoute(app, routes, {
    method: "PUT",
    path: honoPath,
    kind: "api",
    access: { permission: spec.write },
    ...one,
    summary: `Replace ${a} ${spec.noun}`,
    input: { params, body: requestBody },
    operation: {
      tags: [spec.tag],
      security,
      responses: { 200: json(spec.output, `The updated ${spec.noun}`), ...errorResponses },
    },
    handler: async (c) =>
      reply(
        c,
        await spec.update(hiring(c), apiActor(c), c.req.param(spec.param) ?? "", body<In>(c)),
        200,
      ),
  });

  defineRoute(app, routes, {
    method: "DELETE",
    path: honoPath,
    kind: "api",
    access: { permission: spec.write },
    ...one,
    summary: `Delete ${a} ${spec.noun}`,
    input: { params },
    operation: {
      tags: [spec.tag],
      security,
      responses: { 204: { description: "Deleted" }, ...errorResponses },
    },
    handler: async (c) => {
      await spec.remove(hiring(c), apiActor(c), c.req.param(spec.param) ?? "");
      return c.body(null, 204);
    },
  });
}
