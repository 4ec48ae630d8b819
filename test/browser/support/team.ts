/**
 * The team the browser stories start from, made through the services on the server's own
 * database (the onboarding story drives these pages itself): Rita, a recruiter who signed up
 * Orbital Works and confirmed her address from the outbox, and Ivan, an interviewer who
 * accepted her invitation. Both are signed in; their session tokens open their browsers.
 */

import { readFile } from "node:fs/promises";
import { simpleParser } from "mailparser";
import type { Actor } from "../../../src/accounts/service.js";
import type { Store } from "../../../src/store/database.js";
import type { WebDeps } from "../../../src/web/env.js";

const META = { ip: "127.0.0.1", userAgent: "browser test" };

/**
 * The link token in the last email to `to` (verification or invitation): from the outbox row
 * while it waits, from the .eml file the running server wrote once sent (the outbox empties a
 * sent message's body).
 */
export async function tokenMailedTo(store: Store, to: string): Promise<string> {
  const row = await store.db
    .selectFrom("outbox")
    .select(["text_body", "file_path", "sent_at"])
    .where("to_address", "=", to)
    .orderBy("id", "desc")
    .executeTakeFirstOrThrow();
  const mail = {
    text_body:
      row.sent_at !== null && row.file_path !== null
        ? ((await simpleParser(await readFile(row.file_path))).text ?? "")
        : row.text_body,
  };
  return decodeURIComponent(/token=([^\s&]+)/.exec(mail.text_body)?.[1] ?? "");
}

export interface Team {
  owner: Actor;
  ownerSession: string;
  interviewer: { userId: string };
  interviewerSession: string;
}

export async function buildTeam(
  deps: WebDeps,
  store: Store,
  interviewer: { email: string; password: string },
): Promise<Team> {
  const { userId, orgId } = await deps.accounts.signUp(
    {
      name: "Rita Recruiter",
      email: "rita@example.test",
      phone: "+44 20 7946 0958",
      postalAddress: "1 High Street, London",
      company: "Orbital Works",
      password: "correct horse battery staple",
    },
    META,
  );
  const session = await deps.accounts.verifyEmail(
    await tokenMailedTo(store, "rita@example.test"),
    META,
  );
  const owner: Actor = { userId, orgId, role: "owner", via: "session" };
  await deps.accounts.invite(owner, { email: interviewer.email, role: "interviewer" }, META);
  const accepted = await deps.accounts.acceptInvitation(
    {
      token: await tokenMailedTo(store, interviewer.email),
      name: "Ivan Interviewer",
      phone: "+1 555 0100",
      postalAddress: "2 Market Street",
      password: interviewer.password,
    },
    META,
  );
  const ivan = (await deps.accounts.session(accepted.token))?.actor;
  if (ivan === undefined) throw new Error("the interviewer has no session");
  return {
    owner,
    ownerSession: session.token,
    interviewer: { userId: ivan.userId },
    interviewerSession: accepted.token,
  };
}
