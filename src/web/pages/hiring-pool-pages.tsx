/**
 * Pages for interviewer pools: list, create, view and edit, delete. Members are chosen with
 * checkboxes in a fieldset; only members of the organisation are offered (and accepted).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { can, requirePermission } from "../../accounts/permissions.js";
import type { Actor, Member } from "../../accounts/service.js";
import { AppError } from "../../errors.js";
import { type Pool, poolInput } from "../../hiring/schemas.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { HTTP_STATUS } from "../errors.js";
import { formFailure, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import {
  Csrf,
  DeleteForm,
  ErrorSummary,
  Field,
  type FieldErrors,
  SaveOrCancel,
} from "../layout.js";
import { sectionFrame } from "../page-frame.js";
import type { RouteTable } from "../route-table.js";
import { registerDeleteRoute } from "./delete-route.js";
import { allFormValues, one } from "./hiring-form-helpers.js";

type C = Context<AppEnv>;

interface PoolForm {
  name: string;
  memberIds: string[];
}

/** Errors about one member id (`memberIds.3`) are shown at the member list. */
function poolErrors(errors: FieldErrors): FieldErrors {
  const result: FieldErrors = {};
  for (const [field, message] of Object.entries(errors)) {
    result[field.startsWith("memberIds") ? "memberIds" : field] ??= message;
  }
  return result;
}

function PoolFormView(props: {
  c: C;
  pool?: Pool;
  members: Member[];
  values: PoolForm;
  errors?: FieldErrors;
}) {
  const { c, pool, members, values, errors } = props;
  const chosen = new Set(values.memberIds);
  const error = errors?.memberIds;
  return (
    <form
      method="post"
      action={pool ? `/app/pools/${pool.id}` : "/app/pools"}
      class="stack card"
      novalidate
    >
      <Csrf token={c.get("csrfToken")} />
      <Field name="name" label="Name" value={values.name} errors={errors} required />
      <fieldset aria-describedby={error ? "field-memberIds-error" : "field-memberIds-hint"}>
        <legend>Members</legend>
        <span class="hint" id="field-memberIds-hint">
          Sessions drawing from this pool pick their interviewers among these people.
        </span>
        {error ? (
          <span class="error-text" id="field-memberIds-error">
            {error}
          </span>
        ) : null}
        {members.length === 0 ? <p>Your organisation has no members yet.</p> : null}
        <div class="checks">
          {members.map((member, i) => {
            const id = i === 0 ? "field-memberIds" : `member-${member.userId}`;
            return (
              <div class="check">
                <input
                  type="checkbox"
                  id={id}
                  name="memberIds"
                  value={member.userId}
                  checked={chosen.has(member.userId)}
                />
                <label for={id}>
                  {member.name} <span class="hint">({member.email})</span>
                </label>
              </div>
            );
          })}
        </div>
      </fieldset>
      <SaveOrCancel label={pool ? "Save changes" : "Create pool"} cancelHref={"/app/pools"} />
    </form>
  );
}

const frame = sectionFrame("/app/pools");
const readForm = async (c: C): Promise<PoolForm> => {
  const values = await allFormValues(c);
  return { name: one(values, "name"), memberIds: values.get("memberIds") ?? [] };
};

const newPage = async (c: C, values: PoolForm, errors?: FieldErrors) => {
  const members = await c.get("deps").accounts.listMembers(requireActor(c));
  return frame(
    c,
    "New pool",
    <>
      <h1>New interviewer pool</h1>
      <ErrorSummary errors={errors} />
      <PoolFormView c={c} members={members} values={values} errors={errors} />
    </>,
  );
};

const poolPage = async (
  c: C,
  pool: Pool,
  values: PoolForm,
  errors?: FieldErrors,
  message?: string,
) => {
  const actor = requireActor(c);
  const members = await c.get("deps").accounts.listMembers(actor);
  const inPool = new Set(pool.memberIds);
  return frame(
    c,
    pool.name,
    <>
      <h1>{pool.name}</h1>
      <ErrorSummary errors={errors} message={message} />
      {can(actor.role, "hiring:write") ? (
        <>
          <PoolFormView c={c} pool={pool} members={members} values={values} errors={errors} />
          <DeleteForm
            action={`/app/pools/${pool.id}/delete`}
            what="this pool"
            csrfToken={c.get("csrfToken")}
            errors={errors}
          />
        </>
      ) : (
        <div class="card">
          <h2>Members</h2>
          <ul>
            {members
              .filter((m) => inPool.has(m.userId))
              .map((m) => (
                <li>{m.name}</li>
              ))}
          </ul>
        </div>
      )}
    </>,
  );
};
const onePool = { objectParam: "poolId", objectKind: "pool" as const };

const poolPageFor = async (
  c: C,
  actor: Actor,
  id: string,
  errors?: FieldErrors,
  message?: string,
) => {
  const pool = await c.get("deps").hiring.getPool(actor, id);
  const values = { name: pool.name, memberIds: pool.memberIds };
  return poolPage(c, pool, values, errors, message);
};

export function registerPoolPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerPoolListPage(app, routes);
  registerNewPoolPages(app, routes);
  registerOnePoolPages(app, routes);
}

/** The organisation's interviewer pools. */
function registerPoolListPage(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/pools",
    kind: "page",
    access: { permission: "hiring:read" },
    summary: "Interviewer pools",
    handler: async (c) => {
      const actor = requireActor(c);
      const { hiring, accounts } = c.get("deps");
      const pools = await hiring.listPools(actor);
      const names = new Map((await accounts.listMembers(actor)).map((m) => [m.userId, m.name]));
      return c.html(
        frame(
          c,
          "Interviewer pools",
          <>
            <h1>Interviewer pools</h1>
            {can(actor.role, "hiring:write") ? (
              <p>
                <a class="button" href="/app/pools/new">
                  New pool
                </a>
              </p>
            ) : null}
            {pools.length === 0 ? (
              <p>No pools yet.</p>
            ) : (
              <div class="table-wrap">
                <table>
                  <caption class="visually-hidden">Interviewer pools</caption>
                  <thead>
                    <tr>
                      <th scope="col">Name</th>
                      <th scope="col">Members</th>
                    </tr>
                  </thead>
                  <tbody>
                    {pools.map((pool) => (
                      <tr>
                        <td>
                          <a href={`/app/pools/${pool.id}`}>{pool.name}</a>
                        </td>
                        <td>
                          {pool.memberIds.length === 0
                            ? "Nobody yet"
                            : pool.memberIds.map((id) => names.get(id) ?? id).join(", ")}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </>,
          false,
        ),
      );
    },
  });
}

/** Making a new pool. */
function registerNewPoolPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/pools/new",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "New pool form",
    handler: async (c) => {
      requirePermission(requireActor(c).role, "hiring:write");
      return c.html(await newPage(c, { name: "", memberIds: [] }));
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/pools",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "Creates a pool",
    handler: async (c) => {
      const actor = requireActor(c);
      requirePermission(actor.role, "hiring:write");
      const values = await readForm(c);
      const parsed = parseForm(poolInput, values);
      if (!parsed.ok)
        return c.html(await newPage(c, values, poolErrors(parsed.errors)), INVALID_FORM);
      try {
        const pool = await c.get("deps").hiring.createPool(actor, parsed.value);
        return c.redirect(`/app/pools/${pool.id}`, 303);
      } catch (error) {
        const failed = formFailure(c, error);
        return c.html(await newPage(c, values, poolErrors(failed.errors)), failed.status);
      }
    },
  });
}

/** One pool: seeing, changing and deleting it. */
function registerOnePoolPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/pools/:poolId",
    kind: "page",
    access: { permission: "hiring:read" },
    summary: "A pool",
    ...onePool,
    handler: async (c) => {
      const pool = await c.get("deps").hiring.getPool(requireActor(c), c.req.param("poolId"));
      return c.html(await poolPage(c, pool, { name: pool.name, memberIds: pool.memberIds }));
    },
  });
  defineRoute(app, routes, {
    method: "POST",
    path: "/app/pools/:poolId",
    kind: "page",
    access: { permission: "hiring:write" },
    summary: "Updates a pool",
    ...onePool,
    handler: async (c) => {
      const actor = requireActor(c);
      const { hiring } = c.get("deps");
      const pool = await hiring.getPool(actor, c.req.param("poolId"));
      requirePermission(actor.role, "hiring:write");
      const values = await readForm(c);
      const parsed = parseForm(poolInput, values);
      if (!parsed.ok)
        return c.html(await poolPage(c, pool, values, poolErrors(parsed.errors)), INVALID_FORM);
      try {
        await hiring.updatePool(actor, pool.id, parsed.value);
      } catch (error) {
        const failed = formFailure(c, error);
        return c.html(await poolPage(c, pool, values, poolErrors(failed.errors)), failed.status);
      }
      return c.redirect(`/app/pools/${pool.id}`, 303);
    },
  });
  registerDeleteRoute(app, routes, {
    listPath: "/app/pools",
    param: "poolId",
    objectKind: "pool",
    permission: "hiring:write",
    summary: "Deletes a pool",
    remove: (c, actor, id) => c.get("deps").hiring.deletePool(actor, id),
    page: (c, actor, id, errors) => poolPageFor(c, actor, id, errors),
    // A loop template still draws from the pool: say so on the pool's page.
    onError: async (c, actor, id, error) => {
      if (!(error instanceof AppError) || error.code !== "IN_USE") throw error;
      return c.html(
        await poolPageFor(c, actor, id, undefined, error.message),
        HTTP_STATUS[error.code],
      );
    },
  });
}
