/**
 * Sign-up with an address that already has an account: the page answers exactly as for a new
 * address (so it does not reveal who has an account), and the address's owner gets a mail
 * instead, saying someone tried and how to sign in or reset the password. At most a few such
 * mails per address an hour, so the form cannot be used to flood someone's inbox.
 */
import { mintOrgId } from "../ids.js";
import { escapeHtml } from "../mail/html.js";
import { type RateRule, takeRate } from "./rate-limit.js";
import { firstOrganisation } from "./sessions.js";
import type { LinkMailing } from "./types.js";

export const SIGN_UP_NOTICE_RATE: RateRule = { windowMs: 60 * 60_000, max: 3 };

/** Mails the owner of `email` that someone tried to sign up with it; silent past the limit. */
export async function sendSignUpNotice(
  deps: LinkMailing,
  email: string,
  now: number,
): Promise<void> {
  const { store } = deps;
  const { db } = store;
  if (!(await takeRate(db, `sign-up-notice:${email}`, SIGN_UP_NOTICE_RATE, now))) return;
  const user = await db
    .selectFrom("users")
    .select(["id", "name", "email"])
    .where("email", "=", email)
    .executeTakeFirst();
  if (user === undefined) return;
  const org = await firstOrganisation(db, user.id);
  const signIn = deps.link("/login");
  const reset = deps.link("/forgot-password");
  await store.mail(
    {
      organisationId: org === undefined ? null : mintOrgId(org.organisation_id),
      kind: "sign-up-existing",
      to: user.email,
      subject: "Someone tried to sign up for Ally with your address",
      text: `Hello ${user.name},\n\nSomeone (perhaps you) tried to create a new Ally account with this address, which already has one. No new account was made.\n\nSign in here:\n\n${signIn}\n\nForgot your password? Reset it here:\n\n${reset}\n\nIf it was not you, you can ignore this message.\n`,
      html: `<p>Hello ${escapeHtml(user.name)},</p><p>Someone (perhaps you) tried to create a new Ally account with this address, which already has one. No new account was made.</p><p><a href="${escapeHtml(signIn)}">Sign in</a> or, if you forgot your password, <a href="${escapeHtml(reset)}">reset it</a>.</p><p>If it was not you, you can ignore this message.</p>`,
    },
    now,
  );
}
