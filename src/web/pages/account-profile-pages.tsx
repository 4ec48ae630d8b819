/**
 * A member's own details (name, email, telephone, postal address), confirming a new email
 * from the link mailed to it, and the organisation's details for its owners.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { OrganisationClosing } from "../../accounts/org-closure.js";
import type { Profile } from "../../accounts/profile.js";
import {
  confirmEmailChangeInput,
  disableSecondFactorInput,
  organisationInput,
  profileInput,
} from "../../accounts/schemas.js";
import { clearSessionCookie } from "../app.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import {
  type FormValues,
  formFailure,
  formValues,
  INVALID_FORM,
  parseForm,
  requireActor,
} from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { registerMemberRemovalConfirmation } from "./account-member-removal-page.js";

type C = Context<AppEnv>;

function ProfilePage({
  c,
  profile,
  values,
  errors,
  message,
}: {
  c: C;
  profile: Profile;
  values?: FormValues;
  errors?: FieldErrors;
  message?: string;
}) {
  const v = values ?? {
    name: profile.name,
    email: profile.pendingEmail ?? profile.email,
    phone: profile.phone,
    postalAddress: profile.postalAddress,
  };
  return (
    <Page
      title="Your details"
      session={c.get("session")}
      csrfToken={c.get("csrfToken")}
      current="/app/account"
    >
      <h1>Your details</h1>
      {message ? <Notice tone="good">{message}</Notice> : null}
      {profile.pendingEmail ? (
        <Notice>
          You asked to use {profile.pendingEmail}. Open the link we sent there; until then you sign
          in with {profile.email}.
        </Notice>
      ) : null}
      <ErrorSummary errors={errors} />
      <form method="post" action="/app/account/profile" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field name="name" label="Name" value={v.name} errors={errors} required />
        <Field
          name="email"
          label="Email"
          type="email"
          hint="A new address is used once you open the link we send to it."
          value={v.email}
          errors={errors}
          autocomplete="email"
          required
        />
        <Field
          name="phone"
          label="Telephone (optional)"
          type="tel"
          value={v.phone}
          errors={errors}
          autocomplete="tel"
        />
        <Field
          name="postalAddress"
          label="Postal address (optional)"
          multiline
          value={v.postalAddress}
          errors={errors}
          autocomplete="street-address"
        />
        <button type="submit">Save</button>
      </form>
      <p>
        <a href="/app/account">Back to your account</a>
      </p>
    </Page>
  );
}

function OrganisationPage({
  c,
  name,
  closing,
  errors,
  message,
  status,
}: {
  c: C;
  name: string;
  closing: OrganisationClosing | null;
  errors?: FieldErrors;
  message?: string;
  status?: ContentfulStatusCode;
}) {
  return c.html(
    <Page
      title="Organisation"
      session={c.get("session")}
      csrfToken={c.get("csrfToken")}
      current="/app/organisation"
    >
      <h1>Your organisation</h1>
      {message ? <Notice tone="good">{message}</Notice> : null}
      <ErrorSummary errors={errors} />
      <form method="post" action="/app/organisation" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field name="name" label="Organisation name" value={name} errors={errors} required />
        <button type="submit">Save</button>
      </form>
      <h2 id="closing">Close the organisation</h2>
      {closing ? (
        <form method="post" action="/app/organisation/cancel-closing" class="stack card">
          <p>
            This organisation is closing: its data is erased on{" "}
            {new Date(closing.eraseAfter).toISOString().slice(0, 10)} (UTC).
          </p>
          <Csrf token={c.get("csrfToken")} />
          <button type="submit">Cancel the closing</button>
        </form>
      ) : (
        <form method="post" action="/app/organisation/close" class="stack card">
          <p>
            Every member is told by email. After 30 days everything in the organisation is erased;
            until then an owner can cancel.
          </p>
          <Csrf token={c.get("csrfToken")} />
          <button type="submit" class="danger">
            Close the organisation
          </button>
        </form>
      )}
    </Page>,
    status ?? 200,
  );
}

function frame(c: C, title: string, body: Child, status: ContentfulStatusCode = 200) {
  return c.html(
    <Page title={title} session={c.get("session")} csrfToken={c.get("csrfToken")} narrow>
      {body}
    </Page>,
    status,
  );
}

function CloseAccountPage({
  c,
  errors,
  status,
}: {
  c: C;
  errors?: FieldErrors;
  status?: ContentfulStatusCode;
}) {
  return c.html(
    <Page
      title="Close your account"
      session={c.get("session")}
      csrfToken={c.get("csrfToken")}
      current="/app/account"
    >
      <h1>Close your account</h1>
      <p>
        You leave every organisation you belong to: your sessions, API tokens and calendar
        connections go, and recruiters of interviews you are booked on are told. An organisation you
        are the only member of is deleted with everything in it. If you are the only owner of an
        organisation with other members, make one of them an owner first.
      </p>
      <ErrorSummary errors={errors} />
      <form method="post" action="/app/account/close" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="password"
          label="Your password, to confirm"
          type="password"
          autocomplete="current-password"
          errors={errors}
          required
        />
        <button type="submit" class="danger">
          Close my account
        </button>
      </form>
    </Page>,
    status ?? 200,
  );
}

export function registerProfilePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerMemberRemovalConfirmation(app, routes);
  registerOwnProfilePages(app, routes);
  registerOrganisationPages(app, routes);
}

/** Your own profile, and confirming a change of email address. */
function registerOwnProfilePages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/account/profile",
    kind: "page",
    access: "member",
    summary: "One's own name, email, telephone and postal address",
    handler: async (c) => {
      const profile = await c.get("deps").accounts.getProfile(requireActor(c));
      return c.html(ProfilePage({ c, profile }));
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/account/profile",
    kind: "page",
    access: "member",
    summary: "Saves one's own details (a new email is confirmed by link)",
    handler: async (c) => {
      const actor = requireActor(c);
      const { accounts } = c.get("deps");
      const values = await formValues(c);
      const parsed = parseForm(profileInput, values);
      if (!parsed.ok) {
        const profile = await accounts.getProfile(actor);
        return c.html(ProfilePage({ c, profile, values, errors: parsed.errors }), INVALID_FORM);
      }
      try {
        const outcome = await accounts.updateProfile(actor, parsed.value, c.get("meta"));
        const profile = await accounts.getProfile(actor);
        const message =
          outcome === "saved"
            ? "Your details were saved."
            : `Saved. To use ${parsed.value.email}, open the link we sent there.`;
        return c.html(ProfilePage({ c, profile, message }));
      } catch (error) {
        const failed = formFailure(c, error, "email");
        const profile = await accounts.getProfile(actor);
        return c.html(ProfilePage({ c, profile, values, errors: failed.errors }), failed.status);
      }
    },
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/confirm-email-change",
    kind: "page",
    access: "public",
    summary: "Confirms a new email address (asks for a click, so link scanners do not use it)",
    handler: (c) =>
      frame(
        c,
        "Confirm your new email",
        <>
          <h1>Confirm your new email address</h1>
          <form method="post" action="/confirm-email-change" class="actions">
            <Csrf token={c.get("csrfToken")} />
            <input type="hidden" name="token" value={c.req.query("token") ?? ""} />
            <button type="submit">Use this address</button>
          </form>
        </>,
      ),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/confirm-email-change",
    kind: "page",
    access: "public",
    summary: "Confirms a new email address",
    handler: async (c) => {
      const parsed = parseForm(confirmEmailChangeInput, await formValues(c));
      const refused = (errors: FieldErrors, status: ContentfulStatusCode) =>
        frame(
          c,
          "Confirm your new email",
          <>
            <h1>Confirm your new email address</h1>
            <ErrorSummary errors={errors} />
            <p>Ask for a new link from your account's details page.</p>
          </>,
          status,
        );
      if (!parsed.ok) return refused(parsed.errors, INVALID_FORM);
      try {
        const { email } = await c
          .get("deps")
          .accounts.confirmEmailChange(parsed.value.token, c.get("meta"));
        return frame(
          c,
          "Email changed",
          <Notice tone="good">Your account now uses {email}. Sign in with it from now on.</Notice>,
        );
      } catch (error) {
        const failed = formFailure(c, error, "token");
        return refused(failed.errors, failed.status);
      }
    },
  });
}

/** The organisation's settings, removing a member, closing your account or the organisation. */
function registerOrganisationPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  defineRoute(app, routes, {
    method: "GET",
    path: "/app/organisation",
    kind: "page",
    access: { permission: "owners:manage" },
    summary: "The organisation's details (owners)",
    handler: async (c) => {
      const actor = requireActor(c);
      const { accounts } = c.get("deps");
      const org = await accounts.getOrganisation(actor);
      return OrganisationPage({
        c,
        name: org.name,
        closing: await accounts.organisationClosing(actor),
      });
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/organisation",
    kind: "page",
    access: { permission: "owners:manage" },
    summary: "Renames the organisation (owners)",
    handler: async (c) => {
      const actor = requireActor(c);
      const values = await formValues(c);
      const parsed = parseForm(organisationInput, values);
      if (!parsed.ok) {
        return OrganisationPage({
          c,
          name: values.name ?? "",
          closing: await c.get("deps").accounts.organisationClosing(actor),
          errors: parsed.errors,
          status: INVALID_FORM,
        });
      }
      const { accounts } = c.get("deps");
      const org = await accounts.updateOrganisation(actor, parsed.value, c.get("meta"));
      const closing = await accounts.organisationClosing(actor);
      return OrganisationPage({ c, name: org.name, closing, message: "Saved." });
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/members/:userId/remove",
    kind: "page",
    access: { permission: "members:manage" },
    objectParam: "userId",
    objectKind: "member",
    summary: "Removes a member (admins)",
    handler: async (c) => {
      await c
        .get("deps")
        .accounts.removeMember(requireActor(c), c.req.param("userId"), c.get("meta"));
      return c.redirect("/app/members?removed=1", 303);
    },
  });

  defineRoute(app, routes, {
    method: "GET",
    path: "/app/account/close",
    kind: "page",
    access: "member",
    summary: "Asks to confirm closing one's own account",
    handler: (c) => {
      requireActor(c);
      return CloseAccountPage({ c });
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/account/close",
    kind: "page",
    access: "member",
    summary: "Closes one's own account (needs the password)",
    handler: async (c) => {
      const actor = requireActor(c);
      const parsed = parseForm(disableSecondFactorInput, await formValues(c));
      if (!parsed.ok) return CloseAccountPage({ c, errors: parsed.errors, status: INVALID_FORM });
      try {
        await c.get("deps").accounts.closeAccount(actor, parsed.value.password, c.get("meta"));
      } catch (error) {
        const failed = formFailure(c, error, "password");
        // A wrong password is a mistake in the form, not a failed sign-in.
        const status = failed.code === "INVALID_CREDENTIALS" ? INVALID_FORM : failed.status;
        return CloseAccountPage({ c, errors: failed.errors, status });
      }
      clearSessionCookie(c);
      return frame(
        c,
        "Account closed",
        <Notice tone="good">Your account is closed. Thank you for using Ally.</Notice>,
      );
    },
  });

  for (const [path, summary, act] of [
    ["/app/organisation/close", "Closes the organisation after a grace period (owners)", "close"],
    ["/app/organisation/cancel-closing", "Cancels closing the organisation (owners)", "cancel"],
  ] as const) {
    defineRoute(app, routes, {
      method: "POST",
      path,
      kind: "page",
      access: { permission: "owners:manage" },
      summary,
      handler: async (c) => {
        const actor = requireActor(c);
        const { accounts } = c.get("deps");
        let message: string;
        try {
          if (act === "close") await accounts.closeOrganisation(actor, c.get("meta"));
          else await accounts.cancelOrganisationClosing(actor, c.get("meta"));
          message = act === "close" ? "The organisation is closing." : "The closing is cancelled.";
        } catch (error) {
          const failed = formFailure(c, error);
          const org = await accounts.getOrganisation(actor);
          const closing = await accounts.organisationClosing(actor);
          return OrganisationPage({
            c,
            name: org.name,
            closing,
            errors: failed.errors,
            status: failed.status,
          });
        }
        const org = await accounts.getOrganisation(actor);
        const closing = await accounts.organisationClosing(actor);
        return OrganisationPage({ c, name: org.name, closing, message });
      },
    });
  }
}
