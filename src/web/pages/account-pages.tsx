/**
 * The member's own account: second factor and API tokens. Only a signed-in session reaches
 * these pages (app.tsx refuses API tokens outside /api/v1).
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import {
  apiTokenFormInput,
  disableSecondFactorInput,
  secondFactorInput,
} from "../../accounts/schemas.js";
import type { ApiTokenInfo } from "../../accounts/service.js";
import type { TokenScope } from "../../accounts/token-scopes.js";
import { defineRoute, type PageRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formFailure, formValues, INVALID_FORM, parseForm, requireActor } from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { registerProfilePages } from "./account-profile-pages.js";

type C = Context<AppEnv>;

const ACCESS_OPTIONS = [
  { value: "read", label: "Read only" },
  { value: "read-write", label: "Read and write" },
];
const SCOPES_OF_ACCESS: Record<"read" | "read-write", TokenScope[]> = {
  read: ["read"],
  "read-write": ["read", "write"],
};
const describeScopes = (scopes: readonly TokenScope[]) =>
  scopes.includes("write") ? (scopes.includes("read") ? "read and write" : "write") : "read only";
const REVOKES_TOKENS =
  "Turning two-step sign-in on or off, or resetting your password, revokes all your API tokens.";

/** Two-step sign-in: turning it off, finishing turning it on, or starting to. */
function SecondFactorCard({
  c,
  secondFactor,
  enrolment,
  errors,
}: {
  c: C;
  secondFactor: boolean;
  enrolment?: { secret: string; uri: string };
  errors?: FieldErrors;
}) {
  return (
    <div class="card">
      {secondFactor ? (
        <form method="post" action="/app/account/second-factor/disable" class="stack" novalidate>
          <p>
            Two-step sign-in is on: after your password, Ally asks for a code from your
            authenticator app.
          </p>
          <Csrf token={c.get("csrfToken")} />
          <Field
            name="password"
            label="Your password, to turn it off"
            type="password"
            autocomplete="current-password"
            errors={errors}
            required
          />
          <div class="actions">
            <button type="submit" class="danger">
              Turn off two-step sign-in
            </button>
          </div>
        </form>
      ) : enrolment ? (
        <form method="post" action="/app/account/second-factor/enable" class="stack" novalidate>
          <p>
            Add this key to your authenticator app (as a time-based key), then enter the code it
            shows.
          </p>
          <p>
            Setup key: <code class="secret">{enrolment.secret}</code>
          </p>
          <p class="hint">
            Or open this address on your phone: <span>{enrolment.uri}</span>
          </p>
          <Csrf token={c.get("csrfToken")} />
          <input type="hidden" name="secret" value={enrolment.secret} />
          <Field
            name="code"
            label="Six-digit code"
            inputmode="numeric"
            autocomplete="one-time-code"
            errors={errors}
            required
          />
          <button type="submit">Turn on two-step sign-in</button>
        </form>
      ) : (
        <form method="post" action="/app/account/second-factor/begin" class="actions">
          <p>Protect your account with a code from an authenticator app.</p>
          <Csrf token={c.get("csrfToken")} />
          <button type="submit">Set up two-step sign-in</button>
        </form>
      )}
    </div>
  );
}

/** The member's API tokens, each with what it may do, when it was last used and a revoke button. */
function TokensTable({ c, tokens }: { c: C; tokens: ApiTokenInfo[] }) {
  if (tokens.length === 0) return null;
  return (
    <div class="table-wrap">
      <table class="stacked">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">May</th>
            <th scope="col">Created (UTC)</th>
            <th scope="col">Last used</th>
            <th scope="col">
              <span class="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((t) => (
            <tr>
              <td data-label="Name">{t.name}</td>
              <td data-label="May">{describeScopes(t.scopes)}</td>
              <td data-label="Created (UTC)">
                {new Date(t.createdAt).toISOString().slice(0, 16).replace("T", " ")}
              </td>
              <td data-label="Last used">
                {t.lastUsedAt
                  ? new Date(t.lastUsedAt).toISOString().slice(0, 16).replace("T", " ")
                  : "never"}
              </td>
              <td>
                <form method="post" action={`/app/account/tokens/${t.id}/revoke`}>
                  <Csrf token={c.get("csrfToken")} />
                  <button type="submit" class="secondary" aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </button>
                </form>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

async function AccountPage({
  c,
  errors,
  newToken,
  enrolment,
  message,
}: {
  c: C;
  errors?: FieldErrors;
  newToken?: string;
  enrolment?: { secret: string; uri: string };
  message?: string;
}) {
  const actor = requireActor(c);
  const { accounts } = c.get("deps");
  const session = c.get("session");
  const tokens = await accounts.listApiTokens(actor);
  const secondFactor = await accounts.hasSecondFactor(actor);
  return (
    <Page title="Account" session={session} csrfToken={c.get("csrfToken")} current="/app/account">
      <h1>Your account</h1>
      {message ? <Notice tone="good">{message}</Notice> : null}
      <ErrorSummary errors={errors} />
      <p>
        {session?.userName} · {session?.userEmail} · <a href="/app/account/profile">Your details</a>
        {actor.role === "owner" ? (
          <>
            {" "}
            · <a href="/app/organisation">Your organisation</a>
          </>
        ) : null}
      </p>

      <h2 id="second-factor">Two-step sign-in</h2>
      <p class="hint">{REVOKES_TOKENS}</p>
      <SecondFactorCard c={c} secondFactor={secondFactor} enrolment={enrolment} errors={errors} />

      <h2 id="api-tokens">API tokens</h2>
      <p>
        Tokens let programs use Ally's API (under /api/v1) as you, within what you allow: read only,
        or read and write. Treat them like passwords. They do not open Ally's pages, and cannot
        manage tokens or two-step sign-in. {REVOKES_TOKENS}
      </p>
      {newToken ? (
        <div class="notice good" role="status">
          <p>Your new token. Copy it now: Ally will not show it again.</p>
          <code class="secret">{newToken}</code>
        </div>
      ) : null}
      <TokensTable c={c} tokens={tokens} />
      <form method="post" action="/app/account/tokens" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="name"
          label="Token name"
          hint="What will use it, e.g. “ATS sync”."
          errors={errors}
          required
        />
        <Field
          name="access"
          label="What it may do"
          value="read"
          options={ACCESS_OPTIONS}
          errors={errors}
        />
        <button type="submit">Create token</button>
      </form>
    </Page>
  );
}

export function registerAccountPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerProfilePages(app, routes);
  const member = <P extends string>(
    method: "GET" | "POST",
    path: P,
    summary: string,
    handler: PageRoute<P>["handler"],
    objectParam?: string,
  ) =>
    defineRoute(app, routes, {
      method,
      path,
      kind: "page",
      access: "member",
      summary,
      handler,
      ...(objectParam ? { objectParam, objectKind: "api-token" as const } : {}),
    });

  member("GET", "/app/account", "Own account: second factor, API tokens", async (c) =>
    c.html(await AccountPage({ c })),
  );

  member("POST", "/app/account/second-factor/begin", "Starts setting up TOTP", async (c) => {
    requireActor(c);
    const enrolment = c.get("deps").accounts.beginSecondFactor(c.get("session")?.userEmail ?? "");
    return c.html(await AccountPage({ c, enrolment }));
  });

  member(
    "POST",
    "/app/account/second-factor/enable",
    "Turns TOTP on after a correct code",
    async (c) => {
      const actor = requireActor(c);
      const values = await formValues(c);
      const secret = values.secret ?? "";
      const parsed = parseForm(secondFactorInput, values);
      const enrolment = { secret, uri: "" };
      if (!parsed.ok)
        return c.html(await AccountPage({ c, errors: parsed.errors, enrolment }), INVALID_FORM);
      try {
        await c
          .get("deps")
          .accounts.enableSecondFactor(actor, secret, parsed.value.code, c.get("meta"));
      } catch (error) {
        const failed = formFailure(c, error, "code");
        return c.html(await AccountPage({ c, errors: failed.errors, enrolment }), failed.status);
      }
      return c.html(
        await AccountPage({
          c,
          message:
            "Two-step sign-in is on. Your API tokens were revoked; create new ones if needed.",
        }),
      );
    },
  );

  member(
    "POST",
    "/app/account/second-factor/disable",
    "Turns TOTP off (needs the password)",
    async (c) => {
      const actor = requireActor(c);
      const parsed = parseForm(disableSecondFactorInput, await formValues(c));
      if (!parsed.ok) return c.html(await AccountPage({ c, errors: parsed.errors }), INVALID_FORM);
      try {
        await c
          .get("deps")
          .accounts.disableSecondFactor(actor, parsed.value.password, c.get("meta"));
      } catch (error) {
        const failed = formFailure(c, error, "password");
        return c.html(await AccountPage({ c, errors: failed.errors }), failed.status);
      }
      return c.html(
        await AccountPage({
          c,
          message:
            "Two-step sign-in is off. Your API tokens were revoked; create new ones if needed.",
        }),
      );
    },
  );

  member("POST", "/app/account/tokens", "Creates an API token (shown once)", async (c) => {
    const actor = requireActor(c);
    const parsed = parseForm(apiTokenFormInput, await formValues(c));
    if (!parsed.ok) return c.html(await AccountPage({ c, errors: parsed.errors }), INVALID_FORM);
    const { token } = await c
      .get("deps")
      .accounts.createApiToken(
        actor,
        parsed.value.name,
        c.get("meta"),
        SCOPES_OF_ACCESS[parsed.value.access],
      );
    return c.html(await AccountPage({ c, newToken: token }));
  });

  member(
    "POST",
    "/app/account/tokens/:tokenId/revoke",
    "Revokes one's own API token",
    async (c) => {
      const actor = requireActor(c);
      await c.get("deps").accounts.revokeApiToken(actor, c.req.param("tokenId"), c.get("meta"));
      return c.html(await AccountPage({ c, message: "Token revoked." }));
    },
    "tokenId",
  );
}
