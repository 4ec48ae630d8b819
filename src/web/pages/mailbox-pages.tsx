/**
 * Mailboxes Ally reads, for owners and admins: the list (kind, address, last read, last error),
 * connecting an IMAP mailbox (Ally logs in once before saving, so a wrong password is an error
 * on its field), setting up a provider's inbound-parse webhook (its key shown once), testing a
 * mailbox, and removing one. One form per action, so the page has one set of field ids and
 * works from the keyboard at phone width.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { can } from "../../accounts/permissions.js";
import { invalid } from "../../errors.js";
import {
  DEFAULT_HANDLED_FOLDER,
  type MailboxActor,
  type MailboxConnection,
} from "../../mail/mailboxes/connections.js";
import { defineRoute } from "../define-route.js";
import type { AppEnv } from "../env.js";
import { formFailure, formValues, requireActor, UNCONFIRMED_DELETE } from "../forms.js";
import { Csrf, ErrorSummary, Field, type FieldErrors, Notice } from "../layout.js";
import { sectionFrame } from "../page-frame.js";
import type { RouteTable } from "../route-table.js";
import { INBOUND_MAIL_PATH } from "./mailbox-webhook.js";

type C = Context<AppEnv>;

const KIND_NAMES: Record<MailboxConnection["kind"], string> = {
  imap: "IMAP",
  gmail: "Gmail",
  microsoft: "Microsoft 365",
  webhook: "Inbound webhook",
};

interface ImapValues {
  label: string;
  address: string;
  host: string;
  port: string;
  tls: string;
  username: string;
  handledFolder: string;
}

const EMPTY_IMAP: ImapValues = {
  label: "",
  address: "",
  host: "",
  port: "993",
  tls: "yes",
  username: "",
  handledFolder: DEFAULT_HANDLED_FOLDER,
};

/** What the page says after an action that has no field to mark. */
type Outcome =
  | { kind: "webhook"; connection: MailboxConnection; key: string }
  | { kind: "tested"; label: string; error: string | null }
  | { kind: "removed" };

const when = (iso: string | null) =>
  iso === null ? "Never" : `${iso.slice(0, 16).replace("T", " ")} UTC`;

export function mailboxActor(c: C): MailboxActor {
  const actor = requireActor(c);
  return { orgId: actor.orgId, mayManage: can(actor.role, "members:manage") };
}

const MANAGE = { permission: "members:manage" } as const;

/** What the last action did: a webhook's address and key (shown once), a test's result, a removal. */
function OutcomeNotices({ outcome, publicUrl }: { outcome?: Outcome; publicUrl: string }) {
  return (
    <>
      {outcome?.kind === "webhook" ? (
        <Notice tone="good">
          <p>
            Webhook for {outcome.connection.address} set up. Give your provider this address; it
            holds the key, which Ally shows only now:
          </p>
          <p>
            <code>{`${publicUrl.replace("://", `://${outcome.connection.id}:${outcome.key}@`)}${INBOUND_MAIL_PATH}`}</code>
          </p>
          <p class="hint">
            Post JSON {"{"} "raw": the message {"}"}, or sign the raw message with HMAC-SHA256 under
            the key in X-Ally-Signature, with X-Ally-Mailbox: {outcome.connection.id}.
          </p>
        </Notice>
      ) : null}
      {outcome?.kind === "tested" ? (
        <Notice tone={outcome.error === null ? "good" : undefined}>
          {outcome.error === null
            ? `${outcome.label}: Ally logged in and opened the INBOX.`
            : `${outcome.label}: ${outcome.error}`}
        </Notice>
      ) : null}
      {outcome?.kind === "removed" ? <Notice tone="good">The mailbox was removed.</Notice> : null}
    </>
  );
}

/** The connected mailboxes, when they were last read and their last error. */
function MailboxTable({ mailboxes }: { mailboxes: MailboxConnection[] }) {
  return mailboxes.length === 0 ? (
    <p>No mailbox connected yet.</p>
  ) : (
    <div class="table-wrap">
      <table>
        <caption class="visually-hidden">Connected mailboxes</caption>
        <thead>
          <tr>
            <th scope="col">Mailbox</th>
            <th scope="col">Kind</th>
            <th scope="col">Last read</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {mailboxes.map((m) => (
            <tr>
              <td>
                {m.label}
                <span class="hint"> ({m.address})</span>
              </td>
              <td>{KIND_NAMES[m.kind]}</td>
              <td>{when(m.lastPolledAt)}</td>
              <td>{m.lastError ?? "None"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Testing a connected mailbox now, and removing one. */
function ManageMailboxForms({
  csrf,
  choices,
  errors,
}: {
  csrf: string;
  choices: { value: string; label: string }[];
  errors?: FieldErrors;
}) {
  return (
    <>
      <form method="post" action="/app/mailboxes/test" class="stack card" novalidate>
        <h2>Test a mailbox</h2>
        <Csrf token={csrf} />
        <Field name="mailbox" label="Mailbox" options={choices} errors={errors} />
        <div class="actions">
          <button type="submit">Test now</button>
        </div>
      </form>
      <form method="post" action="/app/mailboxes/remove" class="stack card danger-zone">
        <h2>Remove a mailbox</h2>
        <p class="hint">Ally stops reading it; mail already read stays with its requests.</p>
        <Csrf token={csrf} />
        <Field name="remove" label="Mailbox" options={choices} errors={errors} />
        {errors?.confirm ? (
          <span class="error-text" id="field-confirm-error">
            {errors.confirm}
          </span>
        ) : null}
        <div class="check">
          <input
            type="checkbox"
            id="field-confirm"
            name="confirm"
            value="yes"
            aria-invalid={errors?.confirm ? "true" : undefined}
            aria-describedby={errors?.confirm ? "field-confirm-error" : undefined}
          />
          <label for="field-confirm">Yes, remove this mailbox.</label>
        </div>
        <div class="actions">
          <button type="submit" class="danger">
            Remove mailbox
          </button>
        </div>
      </form>
    </>
  );
}

/** The form that connects an IMAP mailbox. */
function ImapForm({
  csrf,
  imap,
  errors,
}: {
  csrf: string;
  imap: ImapValues;
  errors?: FieldErrors;
}) {
  return (
    <form method="post" action="/app/mailboxes/imap" class="stack card" novalidate>
      <h2>Connect an IMAP mailbox</h2>
      <p class="hint">
        Ally reads new mail in the INBOX every few minutes and moves what it has read to a folder.
        For Gmail or Microsoft 365 use an app password, or connect the account's calendar and its
        mail below.
      </p>
      <Csrf token={csrf} />
      <Field name="label" label="Name (optional)" value={imap.label} errors={errors} />
      <Field
        name="address"
        label="The mailbox's email address"
        type="email"
        inputmode="email"
        value={imap.address}
        errors={errors}
        autocomplete="off"
        required
      />
      <Field
        name="host"
        label="IMAP server"
        hint="e.g. imap.fastmail.com"
        value={imap.host}
        errors={errors}
        autocomplete="off"
        required
      />
      <Field
        name="port"
        label="Port"
        inputmode="numeric"
        value={imap.port}
        errors={errors}
        required
      />
      <Field
        name="tls"
        label="Security"
        options={[
          { value: "yes", label: "TLS (IMAPS, usually port 993)" },
          { value: "no", label: "STARTTLS or none (usually port 143)" },
        ]}
        value={imap.tls}
        errors={errors}
      />
      <Field
        name="username"
        label="User name"
        value={imap.username}
        errors={errors}
        autocomplete="off"
        required
      />
      <Field
        name="password"
        label="Password (or app password)"
        type="password"
        value=""
        errors={errors}
        autocomplete="off"
        required
      />
      <Field
        name="handledFolder"
        label="Move read mail to"
        hint="Leave empty to leave it in the INBOX"
        value={imap.handledFolder}
        errors={errors}
      />
      <div class="actions">
        <button type="submit">Connect mailbox</button>
      </div>
    </form>
  );
}

/** The form that sets up an inbound-parse webhook. */
function WebhookForm({ csrf, errors }: { csrf: string; errors?: FieldErrors }) {
  return (
    <form method="post" action="/app/mailboxes/webhook" class="stack card" novalidate>
      <h2>Set up an inbound-parse webhook</h2>
      <p class="hint">
        For a provider that receives your mail and posts it on (SendGrid Inbound Parse or Mailgun
        routes in raw mode).
      </p>
      <Csrf token={csrf} />
      <Field
        name="webhookAddress"
        label="The address mail is sent to"
        type="email"
        inputmode="email"
        value=""
        errors={errors}
        autocomplete="off"
        required
      />
      <div class="actions">
        <button type="submit">Set up webhook</button>
      </div>
    </form>
  );
}

export function registerMailboxPages(app: OpenAPIHono<AppEnv>, routes: RouteTable): void {
  const frame = sectionFrame("/app/mailboxes");

  const page = async (
    c: C,
    state: { imap?: ImapValues; errors?: FieldErrors; outcome?: Outcome } = {},
  ) => {
    const mailboxes = await c.get("deps").mailboxes.list(mailboxActor(c));
    const csrf = c.get("csrfToken");
    const imap = state.imap ?? EMPTY_IMAP;
    const errors = state.errors;
    const publicUrl = c.get("deps").config.http.publicUrl.replace(/\/+$/, "");
    const outcome = state.outcome;
    const choices = mailboxes.map((m) => ({
      value: m.id,
      label: `${m.label} (${KIND_NAMES[m.kind]}, ${m.address})`,
    }));
    return frame(
      c,
      "Mailboxes",
      <>
        <h1>Mailboxes Ally reads</h1>
        <p>
          Besides mail sent to Ally's own address, Ally can read a mailbox of yours (IMAP), or take
          mail a provider receives for you (an inbound-parse webhook). Each message is read once,
          however many ways it arrives.
        </p>
        <ErrorSummary errors={errors} />
        <OutcomeNotices outcome={outcome} publicUrl={publicUrl} />
        <MailboxTable mailboxes={mailboxes} />
        {mailboxes.length === 0 ? null : (
          <ManageMailboxForms csrf={csrf} choices={choices} errors={errors} />
        )}
        <ImapForm csrf={csrf} imap={imap} errors={errors} />
        <WebhookForm csrf={csrf} errors={errors} />
      </>,
    );
  };

  defineRoute(app, routes, {
    method: "GET",
    path: "/app/mailboxes",
    kind: "page",
    access: MANAGE,
    summary: "Mailboxes Ally reads (admins)",
    handler: async (c) => c.html(await page(c)),
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/mailboxes/imap",
    kind: "page",
    access: MANAGE,
    summary: "Connects an IMAP mailbox (admins)",
    handler: async (c) => {
      const form = await formValues(c);
      const values: ImapValues = {
        label: form.label ?? "",
        address: form.address ?? "",
        host: form.host ?? "",
        port: form.port ?? "",
        tls: form.tls === "no" ? "no" : "yes",
        username: form.username ?? "",
        handledFolder: form.handledFolder ?? "",
      };
      try {
        const port = /^\d{1,5}$/.test(values.port.trim()) ? Number(values.port.trim()) : 0;
        if (port === 0) throw invalid("port", "the port is a number from 1 to 65535 (usually 993)");
        await c.get("deps").mailboxes.connectImap(mailboxActor(c), {
          ...values,
          port,
          tls: values.tls === "yes",
          password: form.password ?? "",
        });
      } catch (error) {
        const failed = formFailure(c, error, "host");
        return c.html(await page(c, { imap: values, errors: failed.errors }), failed.status);
      }
      return c.redirect("/app/mailboxes", 303);
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/mailboxes/webhook",
    kind: "page",
    access: MANAGE,
    summary: "Sets up an inbound-parse webhook (admins)",
    handler: async (c) => {
      const form = await formValues(c);
      try {
        const made = await c.get("deps").mailboxes.createWebhook(mailboxActor(c), {
          label: "",
          address: form.webhookAddress ?? "",
        });
        return c.html(await page(c, { outcome: { kind: "webhook", ...made } }));
      } catch (error) {
        const failed = formFailure(c, error, "webhookAddress");
        const { address, ...rest } = failed.errors;
        const errors = address === undefined ? rest : { ...rest, webhookAddress: address };
        return c.html(await page(c, { errors }), failed.status);
      }
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/mailboxes/test",
    kind: "page",
    access: MANAGE,
    summary: "Logs in to a mailbox now and says how it went (admins)",
    handler: async (c) => {
      const form = await formValues(c);
      const actor = mailboxActor(c);
      const id = form.mailbox ?? "";
      const { mailboxes } = c.get("deps");
      const result = await mailboxes.test(actor, id);
      const label = (await mailboxes.list(actor)).find((m) => m.id === id)?.label ?? "Mailbox";
      return c.html(
        await page(c, {
          outcome: { kind: "tested", label, error: result.ok ? null : result.error },
        }),
      );
    },
  });

  defineRoute(app, routes, {
    method: "POST",
    path: "/app/mailboxes/remove",
    kind: "page",
    access: MANAGE,
    summary: "Removes a mailbox (admins)",
    handler: async (c) => {
      const form = await formValues(c);
      if (form.confirm !== "yes") {
        return c.html(await page(c, { errors: UNCONFIRMED_DELETE }), 422);
      }
      await c.get("deps").mailboxes.remove(mailboxActor(c), form.remove ?? "");
      return c.html(await page(c, { outcome: { kind: "removed" } }));
    },
  });
}
