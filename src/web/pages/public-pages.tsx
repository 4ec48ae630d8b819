/** Pages anyone can open: the front page, sign-up, sign-in, email links, password reset. */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { getCookie } from "hono/cookie";
import type { Child } from "hono/jsx";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import {
  acceptInvitationInput,
  resetInput,
  resetRequestInput,
  secondFactorInput,
  signInInput,
  signUpInput,
} from "../../accounts/schemas.js";
import { clearSessionCookie, SESSION_COOKIE, setSessionCookie } from "../app.js";
import { defineRoute, type PageRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import {
  type FormValues,
  formFailure,
  formValues,
  INVALID_FORM,
  parseForm,
  safeNext,
} from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice, Page } from "../layout.js";
import type { RouteTable } from "../route-table.js";
import { PublishedQuotes } from "./testimonial-pages.js";

type C = Context<AppEnv>;

function frame(c: C, title: string, body: Child, status: ContentfulStatusCode = 200) {
  return c.html(
    <Page title={title} session={c.get("session")} csrfToken={c.get("csrfToken")} narrow>
      {body}
    </Page>,
    status,
  );
}

function SignUpForm({ c, values, errors }: { c: C; values: FormValues; errors?: FieldErrors }) {
  return (
    <>
      <h1>Create your organisation</h1>
      <p>Ally schedules your interviews. Sign up for your company; invite your team next.</p>
      <ErrorSummary errors={errors} />
      <form method="post" action="/signup" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="name"
          label="Your name"
          value={values.name}
          errors={errors}
          autocomplete="name"
          required
        />
        <Field
          name="email"
          label="Work email"
          type="email"
          value={values.email}
          errors={errors}
          autocomplete="email"
          required
        />
        <Field
          name="phone"
          label="Telephone"
          type="tel"
          value={values.phone}
          errors={errors}
          autocomplete="tel"
          required
        />
        <Field
          name="postalAddress"
          label="Postal address"
          value={values.postalAddress}
          errors={errors}
          autocomplete="street-address"
          multiline
          required
        />
        <Field
          name="company"
          label="Company name"
          value={values.company}
          errors={errors}
          autocomplete="organization"
          required
        />
        <Field
          name="password"
          label="Password"
          type="password"
          errors={errors}
          autocomplete="new-password"
          hint="At least 12 characters."
          required
        />
        <p class="hint">
          We use these details to run your account and invoice you. See what we keep and why in our{" "}
          <a href="/privacy">privacy policy</a>.
        </p>
        <div class="actions">
          <button type="submit">Create account</button>
          <a href="/login">I already have an account</a>
        </div>
      </form>
    </>
  );
}

function SignInForm({
  c,
  values,
  errors,
  message,
}: {
  c: C;
  values: FormValues;
  errors?: FieldErrors;
  message?: string;
}) {
  return (
    <>
      <h1>Sign in</h1>
      {message ? <Notice tone="good">{message}</Notice> : null}
      <ErrorSummary errors={errors} />
      <form
        method="post"
        action={`/login${values.next ? `?next=${encodeURIComponent(values.next)}` : ""}`}
        class="stack card"
        novalidate
      >
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="email"
          label="Email"
          type="email"
          value={values.email}
          errors={errors}
          autocomplete="username"
          required
        />
        <Field
          name="password"
          label="Password"
          type="password"
          errors={errors}
          autocomplete="current-password"
          required
        />
        <div class="actions">
          <button type="submit">Sign in</button>
          <a href="/forgot-password">Forgot your password?</a>
        </div>
      </form>
      <p>
        New to Ally? <a href="/signup">Create an account</a>.
      </p>
    </>
  );
}

/** Declares public pages on `app`: `page(method, path, summary, handler)`. */
const publicPages =
  (app: OpenAPIHono<AppEnv>, routes: RouteTable) =>
  <P extends string>(
    method: "GET" | "POST",
    path: P,
    summary: string,
    handler: PageRoute<P>["handler"],
  ) =>
    defineRoute(app, routes, { method, path, kind: "page", access: "public", summary, handler });

export function registerPublicPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  registerSignUpPages(app, routes);
  registerVerifyEmailPages(app, routes);
  registerSignInPages(app, routes);
  registerPasswordResetPages(app, routes);
  registerInvitationPages(app, routes);
}

/** What Ally is, and signing up an organisation and its owner. */
function registerSignUpPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = publicPages(app, routes);
  page("GET", "/", "What Ally is", async (c) =>
    c.html(
      <Page title="Interview scheduling" session={c.get("session")} csrfToken={c.get("csrfToken")}>
        <h1>Ally schedules your interviews</h1>
        <p>
          Hand Ally an interview or a whole loop. It reads everyone's calendars, finds the times
          that fit — working hours in each interviewer's zone, buffers, daily and weekly limits, the
          candidate's own windows — offers them to the candidate, books them on every calendar, and
          never double-books. When nothing fits, it tells you which constraint binds and what to
          relax.
        </p>
        <div class="grid">
          <div class="card">
            <h2>For recruiters</h2>
            <p>Create a request; Ally does the back-and-forth and keeps you informed.</p>
          </div>
          <div class="card">
            <h2>For interviewers</h2>
            <p>Set your hours and limits once. Invites arrive on your calendar.</p>
          </div>
          <div class="card">
            <h2>Privacy by default</h2>
            <p>
              Every right over your data is self-served. We keep only what we need, for as long as
              we need it.
            </p>
          </div>
        </div>
        <PublishedQuotes items={await c.get("deps").testimonials.published()} />
        <p class="actions">
          <a class="button" href="/signup">
            Create your organisation
          </a>
          <a class="button secondary" href="/login">
            Sign in
          </a>
        </p>
      </Page>,
    ),
  );

  page("GET", "/signup", "Sign-up form", (c) =>
    frame(c, "Sign up", <SignUpForm c={c} values={{}} />),
  );
  page("POST", "/signup", "Create an organisation and its owner", async (c) => {
    const values = await formValues(c);
    const parsed = parseForm(signUpInput, values);
    if (!parsed.ok)
      return frame(
        c,
        "Sign up",
        <SignUpForm c={c} values={values} errors={parsed.errors} />,
        INVALID_FORM,
      );
    // The same answer whether or not the address has an account (its owner gets a mail).
    await c.get("deps").accounts.signUpOrNotify(parsed.value, c.get("meta"));
    return c.redirect(`/signup/check-email?email=${encodeURIComponent(parsed.value.email)}`, 303);
  });

  page("GET", "/signup/check-email", "Asks the new user to open the verification link", (c) => {
    const email = c.req.query("email") ?? "your address";
    return frame(
      c,
      "Check your email",
      <>
        <h1>Check your email</h1>
        <p>
          We sent a link to <strong>{email}</strong>. Open it to confirm your address, then you are
          in.
        </p>
        <form method="post" action="/verify-email/resend" class="actions">
          <Csrf token={c.get("csrfToken")} />
          <input type="hidden" name="email" value={email} />
          <button type="submit" class="secondary">
            Send the link again
          </button>
        </form>
      </>,
    );
  });
}

/** Confirming an email address, and sending the link again. */
function registerVerifyEmailPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = publicPages(app, routes);
  page("POST", "/verify-email/resend", "Sends the verification link again", async (c) => {
    const values = await formValues(c);
    const parsed = parseForm(resetRequestInput, values);
    if (!parsed.ok) {
      return frame(
        c,
        "Send the link again",
        <>
          <h1>Send the link again</h1>
          <ErrorSummary errors={parsed.errors} />
          <form method="post" action="/verify-email/resend" class="stack card" novalidate>
            <Csrf token={c.get("csrfToken")} />
            <Field
              name="email"
              label="Email"
              type="email"
              value={values.email}
              errors={parsed.errors}
              autocomplete="email"
              required
            />
            <button type="submit">Send the link again</button>
          </form>
        </>,
        INVALID_FORM,
      );
    }
    await c.get("deps").accounts.resendVerification(parsed.value.email);
    return frame(
      c,
      "Check your email",
      <Notice tone="good">
        If that address needs confirming, a new link is on its way. If we sent one in the last
        minute, we do not send another: check your inbox and spam folder for it.
      </Notice>,
    );
  });

  page(
    "GET",
    "/verify-email",
    "Confirms an email address (asks for a click, so link scanners do not use the token)",
    (c) => {
      const token = c.req.query("token") ?? "";
      return frame(
        c,
        "Confirm your email",
        <>
          <h1>Confirm your email address</h1>
          <form method="post" action="/verify-email" class="actions">
            <Csrf token={c.get("csrfToken")} />
            <input type="hidden" name="token" value={token} />
            <button type="submit">Confirm and continue</button>
          </form>
        </>,
      );
    },
  );
  page("POST", "/verify-email", "Confirms an email address and signs in", async (c) => {
    const values = await formValues(c);
    const session = await c.get("deps").accounts.verifyEmail(values.token ?? "", c.get("meta"));
    setSessionCookie(c, session);
    return c.redirect(session.pendingSecondFactor ? "/login/second-factor" : "/app?welcome=1", 303);
  });
}

/** Signing in (with a second factor when the account has one) and out. */
function registerSignInPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = publicPages(app, routes);
  page("GET", "/login", "Sign-in form", (c) => {
    if (c.get("actor")) return c.redirect(safeNext(c.req.query("next")), 303);
    const message = c.req.query("reset")
      ? "Your password was changed. Sign in with the new one."
      : undefined;
    return frame(
      c,
      "Sign in",
      <SignInForm c={c} values={{ next: c.req.query("next") ?? "" }} message={message} />,
    );
  });
  page("POST", "/login", "Signs in", async (c) => {
    const values = { ...(await formValues(c)), next: c.req.query("next") ?? "" };
    const parsed = parseForm(signInInput, values);
    if (!parsed.ok)
      return frame(
        c,
        "Sign in",
        <SignInForm c={c} values={values} errors={parsed.errors} />,
        INVALID_FORM,
      );
    try {
      const session = await c.get("deps").accounts.signIn(parsed.value, c.get("meta"));
      setSessionCookie(c, session);
      if (session.pendingSecondFactor) {
        return c.redirect(`/login/second-factor?next=${encodeURIComponent(values.next)}`, 303);
      }
      return c.redirect(safeNext(values.next), 303);
    } catch (error) {
      const failed = formFailure(c, error);
      return frame(
        c,
        "Sign in",
        <SignInForm c={c} values={values} errors={failed.errors} />,
        failed.status,
      );
    }
  });

  const SecondFactorForm = ({ c, errors }: { c: C; errors?: FieldErrors }) => (
    <>
      <h1>Enter your code</h1>
      <p>Open your authenticator app and enter the six-digit code for Ally.</p>
      <ErrorSummary errors={errors} />
      <form
        method="post"
        action={`/login/second-factor?next=${encodeURIComponent(c.req.query("next") ?? "")}`}
        class="stack card"
        novalidate
      >
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="code"
          label="Six-digit code"
          inputmode="numeric"
          autocomplete="one-time-code"
          errors={errors}
          required
        />
        <button type="submit">Continue</button>
      </form>
    </>
  );
  page("GET", "/login/second-factor", "Second-factor form", (c) => {
    if (!c.get("session")?.pendingSecondFactor) return c.redirect("/login", 303);
    return frame(c, "Enter your code", <SecondFactorForm c={c} />);
  });
  page("POST", "/login/second-factor", "Completes sign-in with a TOTP code", async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie === undefined || !c.get("session")?.pendingSecondFactor)
      return c.redirect("/login", 303);
    const parsed = parseForm(secondFactorInput, await formValues(c));
    if (!parsed.ok)
      return frame(
        c,
        "Enter your code",
        <SecondFactorForm c={c} errors={parsed.errors} />,
        INVALID_FORM,
      );
    try {
      const session = await c
        .get("deps")
        .accounts.completeSecondFactor(cookie, parsed.value.code, c.get("meta"));
      setSessionCookie(c, session);
      return c.redirect(safeNext(c.req.query("next")), 303);
    } catch (error) {
      const failed = formFailure(c, error, "code");
      return frame(
        c,
        "Enter your code",
        <SecondFactorForm c={c} errors={failed.errors} />,
        failed.status,
      );
    }
  });

  page("POST", "/logout", "Signs out", async (c) => {
    const cookie = getCookie(c, SESSION_COOKIE);
    if (cookie !== undefined) await c.get("deps").accounts.signOut(cookie, c.get("meta"));
    clearSessionCookie(c);
    return c.redirect("/login", 303);
  });
}

/** Asking for a password reset link and setting a new password with it. */
function registerPasswordResetPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = publicPages(app, routes);
  const ForgotForm = ({
    c,
    errors,
    values,
  }: {
    c: C;
    errors?: FieldErrors;
    values: FormValues;
  }) => (
    <>
      <h1>Reset your password</h1>
      <p>Enter your email; we will send a link to choose a new password.</p>
      <ErrorSummary errors={errors} />
      <form method="post" action="/forgot-password" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <Field
          name="email"
          label="Email"
          type="email"
          value={values.email}
          errors={errors}
          autocomplete="email"
          required
        />
        <button type="submit">Send the link</button>
      </form>
    </>
  );
  page("GET", "/forgot-password", "Password reset request form", (c) =>
    frame(c, "Reset your password", <ForgotForm c={c} values={{}} />),
  );
  page("POST", "/forgot-password", "Sends a password reset link", async (c) => {
    const values = await formValues(c);
    const parsed = parseForm(resetRequestInput, values);
    if (!parsed.ok)
      return frame(
        c,
        "Reset your password",
        <ForgotForm c={c} values={values} errors={parsed.errors} />,
        INVALID_FORM,
      );
    try {
      await c.get("deps").accounts.requestPasswordReset(parsed.value.email, c.get("meta"));
    } catch (error) {
      const failed = formFailure(c, error, "email");
      return frame(
        c,
        "Reset your password",
        <ForgotForm c={c} values={values} errors={failed.errors} />,
        failed.status,
      );
    }
    return frame(
      c,
      "Check your email",
      <Notice tone="good">
        If an account uses that address, a link to reset the password is on its way.
      </Notice>,
    );
  });

  const ResetForm = ({ c, token, errors }: { c: C; token: string; errors?: FieldErrors }) => (
    <>
      <h1>Choose a new password</h1>
      <ErrorSummary errors={errors} />
      <form method="post" action="/reset-password" class="stack card" novalidate>
        <Csrf token={c.get("csrfToken")} />
        <input type="hidden" name="token" value={token} />
        <Field
          name="password"
          label="New password"
          type="password"
          autocomplete="new-password"
          hint="At least 12 characters."
          errors={errors}
          required
        />
        <button type="submit">Save the new password</button>
      </form>
    </>
  );
  page("GET", "/reset-password", "New password form", (c) =>
    frame(c, "Choose a new password", <ResetForm c={c} token={c.req.query("token") ?? ""} />),
  );
  page("POST", "/reset-password", "Sets a new password", async (c) => {
    const values = await formValues(c);
    const parsed = parseForm(resetInput, values);
    if (!parsed.ok) {
      return frame(
        c,
        "Choose a new password",
        <ResetForm c={c} token={values.token ?? ""} errors={parsed.errors} />,
        INVALID_FORM,
      );
    }
    try {
      await c
        .get("deps")
        .accounts.resetPassword(parsed.value.token, parsed.value.password, c.get("meta"));
    } catch (error) {
      const failed = formFailure(c, error, "password");
      return frame(
        c,
        "Choose a new password",
        <ResetForm c={c} token={values.token ?? ""} errors={failed.errors} />,
        failed.status,
      );
    }
    clearSessionCookie(c);
    return c.redirect("/login?reset=1", 303);
  });
}

/** Accepting an invitation to an organisation. */
function registerInvitationPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const page = publicPages(app, routes);
  const AcceptForm = async ({
    c,
    token,
    errors,
    values,
  }: {
    c: C;
    token: string;
    errors?: FieldErrors;
    values: FormValues;
  }) => {
    const invitation = await c.get("deps").accounts.describeInvitation(token);
    return (
      <>
        <h1>Join {invitation.organisationName}</h1>
        <p>
          You are invited as{" "}
          {invitation.role === "admin" || invitation.role === "interviewer" ? "an" : "a"}{" "}
          <strong>{invitation.role}</strong>, with the address <strong>{invitation.email}</strong>.
        </p>
        <ErrorSummary errors={errors} />
        <form method="post" action="/invitations/accept" class="stack card" novalidate>
          <Csrf token={c.get("csrfToken")} />
          <input type="hidden" name="token" value={token} />
          {invitation.hasAccount ? (
            <Field
              name="password"
              label="Your Ally password"
              type="password"
              autocomplete="current-password"
              errors={errors}
              required
            />
          ) : (
            <>
              <Field
                name="name"
                label="Your name"
                value={values.name}
                autocomplete="name"
                errors={errors}
                required
              />
              <Field
                name="phone"
                label="Telephone"
                type="tel"
                value={values.phone}
                autocomplete="tel"
                errors={errors}
                required
              />
              <Field
                name="postalAddress"
                label="Postal address"
                value={values.postalAddress}
                autocomplete="street-address"
                multiline
                errors={errors}
                required
              />
              <Field
                name="password"
                label="Choose a password"
                type="password"
                autocomplete="new-password"
                hint="At least 12 characters."
                errors={errors}
                required
              />
            </>
          )}
          <button type="submit">Accept and join</button>
        </form>
      </>
    );
  };
  page("GET", "/invitations/accept", "Invitation acceptance form", async (c) => {
    const token = c.req.query("token") ?? "";
    return frame(c, "Accept the invitation", await AcceptForm({ c, token, values: {} }));
  });
  page("POST", "/invitations/accept", "Accepts an invitation", async (c) => {
    const values = await formValues(c);
    const parsed = parseForm(acceptInvitationInput, values);
    const token = values.token ?? "";
    if (!parsed.ok)
      return frame(
        c,
        "Accept the invitation",
        await AcceptForm({ c, token, values, errors: parsed.errors }),
        INVALID_FORM,
      );
    try {
      const session = await c.get("deps").accounts.acceptInvitation(parsed.value, c.get("meta"));
      setSessionCookie(c, session);
      return c.redirect(
        session.pendingSecondFactor ? "/login/second-factor" : "/app?welcome=1",
        303,
      );
    } catch (error) {
      const failed = formFailure(c, error);
      return frame(
        c,
        "Accept the invitation",
        await AcceptForm({ c, token, values, errors: failed.errors }),
        failed.status,
      );
    }
  });
}
