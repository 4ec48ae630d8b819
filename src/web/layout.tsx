/**
 * Page frame and form pieces. Server-rendered, no scripts: every form posts and works from
 * the keyboard; errors are listed at the top (linked to their fields) and beside each field.
 */
import type { Child, FC } from "hono/jsx";
import { can, type Permission } from "../accounts/permissions.js";
import type { SessionContext } from "../accounts/service.js";
import { COOKIE_SETTINGS_PATH, ConsentBanner } from "./consent-banner.js";

export interface PageProps {
  title: string;
  session?: SessionContext | undefined;
  csrfToken?: string;
  narrow?: boolean;
  current?: string;
  /** A page for people without an account (a candidate's booking page): no account menu. */
  bare?: boolean;
  /** A same-origin script that improves the page; the page works without it. */
  script?: string;
  children?: Child;
}

/** The main menu; an entry with a permission shows only to roles that have it. */
const appNav: Array<[string, string, Permission?]> = [
  ["/app", "Home"],
  ["/app/jobs", "Jobs", "hiring:read"],
  ["/app/requests", "Requests", "candidates:read"],
  ["/app/candidates", "Candidates", "candidates:read"],
  ["/app/surveys", "Surveys", "candidates:read"],
  ["/app/pools", "Pools", "hiring:read"],
  ["/app/templates", "Loop templates", "hiring:read"],
  ["/app/calendars", "Calendars"],
  ["/app/members", "Team"],
  ["/app/usage", "Usage", "audit:read"],
  ["/app/testimonials", "Testimonials", "testimonials:manage"],
  ["/app/marketing", "Marketing", "marketing:manage"],
  ["/app/account", "Account"],
];

export const Page: FC<PageProps> = ({
  title,
  session,
  csrfToken,
  narrow,
  current,
  bare,
  script,
  children,
}) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{`${title} · Ally`}</title>
      <link rel="stylesheet" href="/assets/app.css" />
      {script ? <script src={script} defer /> : null}
    </head>
    <body>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <div class="bar">
          <a class="brand" href={session ? "/app" : "/"}>
            Ally
          </a>
          {bare ? null : session && !session.pendingSecondFactor ? (
            <>
              <nav aria-label="Main">
                <ul>
                  {appNav
                    .filter(([, , needs]) => needs === undefined || can(session.actor.role, needs))
                    .map(([href, label]) => (
                      <li>
                        <a href={href} aria-current={current === href ? "page" : undefined}>
                          {label}
                        </a>
                      </li>
                    ))}
                </ul>
              </nav>
              <form method="post" action="/logout">
                <input type="hidden" name="_csrf" value={csrfToken} />
                <button type="submit">Sign out</button>
              </form>
            </>
          ) : (
            <nav aria-label="Account">
              <ul>
                <li>
                  <a href="/login">Sign in</a>
                </li>
                <li>
                  <a href="/signup">Sign up</a>
                </li>
              </ul>
            </nav>
          )}
        </div>
      </header>
      <main id="main" class={narrow ? "narrow" : undefined} tabindex={-1}>
        {children}
      </main>
      <ConsentBanner />
      <footer>
        Ally schedules interviews. Open source. <a href="/privacy">Privacy policy</a> ·{" "}
        <a href="/privacy/contact">Contact us about privacy</a> ·{" "}
        <a href={COOKIE_SETTINGS_PATH}>Cookie settings</a>
      </footer>
    </body>
  </html>
);

export type FieldErrors = Record<string, string>;

/** Lists every error at the top of a form, each linking to its field. */
export const ErrorSummary: FC<{
  errors: FieldErrors | undefined;
  message?: string | undefined;
}> = ({ errors, message }) => {
  const entries = Object.entries(errors ?? {});
  if (entries.length === 0 && message === undefined) return null;
  return (
    // Focus moves here when the page loads (autofocus needs no script), so a keyboard or screen
    // reader user starts at the list of problems; each links to its field.
    <div
      class="error-summary"
      role="alert"
      aria-labelledby="error-summary-title"
      tabindex={-1}
      autofocus
    >
      <h2 id="error-summary-title">{message ?? "Please correct the following"}</h2>
      {entries.length > 0 ? (
        <ul>
          {entries.map(([field, text]) => (
            <li>
              <a href={`#field-${field}`}>{text}</a>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
};

export interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string | number | null | undefined;
  errors?: FieldErrors | undefined;
  hint?: string;
  required?: boolean;
  autocomplete?: string;
  inputmode?: "url" | "email" | "search" | "text" | "none" | "decimal" | "numeric" | "tel";
  multiline?: boolean;
  options?: Array<{ value: string; label: string }>;
  /** The id of a `<datalist>` of suggestions (a searchable list that still takes free text). */
  list?: string;
}

export const Field: FC<FieldProps> = (props) => {
  const id = `field-${props.name}`;
  const error = props.errors?.[props.name];
  const describedBy = [props.hint ? `${id}-hint` : "", error ? `${id}-error` : ""]
    .filter(Boolean)
    .join(" ");
  const common = {
    id,
    name: props.name,
    required: props.required,
    "aria-invalid": error ? "true" : undefined,
    "aria-describedby": describedBy || undefined,
    autocomplete: props.autocomplete,
  };
  const value = props.value === null || props.value === undefined ? "" : String(props.value);
  return (
    <div class="field">
      <label for={id}>{props.label}</label>
      {props.hint ? (
        <span class="hint" id={`${id}-hint`}>
          {props.hint}
        </span>
      ) : null}
      {error ? (
        <span class="error-text" id={`${id}-error`}>
          {error}
        </span>
      ) : null}
      {props.options ? (
        <select {...common}>
          {props.options.map((option) => (
            <option value={option.value} selected={option.value === value}>
              {option.label}
            </option>
          ))}
        </select>
      ) : props.multiline ? (
        <textarea {...common}>{value}</textarea>
      ) : (
        <input
          {...common}
          type={props.type ?? "text"}
          value={value}
          inputmode={props.inputmode}
          list={props.list}
        />
      )}
    </div>
  );
};

/** A form's submit button and the way back without saving. */
export const SaveOrCancel: FC<{ label: string; cancelHref: string }> = ({ label, cancelHref }) => (
  <div class="actions">
    <button type="submit">{label}</button>
    <a href={cancelHref}>Cancel</a>
  </div>
);

export const Csrf: FC<{ token: string }> = ({ token }) => (
  <input type="hidden" name="_csrf" value={token} />
);

export const Notice: FC<{ children?: Child; tone?: "good" }> = ({ children, tone }) => (
  <div class={tone === "good" ? "notice good" : "notice"} role="status">
    {children}
  </div>
);

/**
 * Deleting takes a deliberate second step that works without scripts: a box to tick, then the
 * button. The handler deletes only when the box came ticked (see `deleteConfirmed`).
 */
export const DeleteForm: FC<{
  action: string;
  what: string;
  csrfToken: string;
  errors?: FieldErrors | undefined;
}> = ({ action, what, csrfToken, errors }) => {
  const error = errors?.confirm;
  return (
    <form method="post" action={action} class="stack card danger-zone">
      <Csrf token={csrfToken} />
      {error ? (
        <span class="error-text" id="field-confirm-error">
          {error}
        </span>
      ) : null}
      <div class="check">
        <input
          type="checkbox"
          id="field-confirm"
          name="confirm"
          value="yes"
          aria-invalid={error ? "true" : undefined}
          aria-describedby={error ? "field-confirm-error" : undefined}
        />
        <label for="field-confirm">Yes, delete {what}. This cannot be undone.</label>
      </div>
      <div class="actions">
        <button type="submit" class="danger">
          Delete {what}
        </button>
      </div>
    </form>
  );
};
