/**
 * Connecting Google or Microsoft with OAuth 2 (authorization code with PKCE S256, RFC 7636):
 * `begin` stores a single-use state (hashed, bound to the organisation, member and provider,
 * its PKCE verifier sealed, ten minutes) and sends the person to the provider; `complete`
 * checks the state, exchanges the code, seals the tokens in the connection's `credentials`,
 * reads the account's address and calendar list, and syncs once.
 */

import type { Actor } from "../../accounts/service.js";
import { tokenHash } from "../../accounts/tokens.js";
import { AppError, type ErrorCode, notFound } from "../../errors.js";
import { newId } from "../../ids.js";
import type { ChosenCalendar } from "../chosen-calendars.js";
import { newConnectionRow } from "../connections/rows.js";
import { credentialsBinding } from "../connector-for.js";
import {
  authorizationUrl,
  createPkcePair,
  createState,
  exchangeCode,
  GOOGLE_CALENDAR_SCOPES,
  type OAuthClientConfig,
  revokeToken,
  type TokenSet,
} from "../connectors/oauth.js";
import {
  type ProviderAccount,
  readGoogleAccount,
  readMicrosoftAccount,
} from "../connectors/provider-accounts.js";
import { ConnectorError } from "../connectors/types.js";
import { calendarDb } from "../db.js";
import type { OAuthProvider } from "../tables.js";
import {
  credentialsFrom,
  isOAuthProvider,
  OAUTH_STATE_TTL_MS,
  type OAuthDeps,
  PROVIDER_NAMES,
  type ProviderKit,
  stateBinding,
} from "./providers.js";

/**
 * How the provider's callback ended. A refusal names what happened with an error code:
 * TOKEN_INVALID when the answer cannot be used (unknown, expired or replayed state, a refusal at
 * the provider, a code it will not exchange, too narrow a grant), so connecting must start again;
 * CALENDAR_PROVIDER_NOT_CONFIGURED when this server has no client for the provider.
 */
export type CompleteResult =
  | { ok: true; connectionId: string }
  | {
      ok: false;
      code: Extract<ErrorCode, "TOKEN_INVALID" | "CALENDAR_PROVIDER_NOT_CONFIGURED">;
      message: string;
    };

/** A callback whose answer connects nothing; the person must connect again. */
const unusable = (message: string): CompleteResult => ({
  ok: false,
  code: "TOKEN_INVALID",
  message,
});

/** The message for a provider this server has no OAuth client for. */
const notSetUp = (provider: OAuthProvider) =>
  `${PROVIDER_NAMES[provider]} is not set up on this Ally server; ask its administrator`;

export interface CallbackParams {
  code?: string | undefined;
  state?: string | undefined;
  error?: string | undefined;
}

export interface ConnectContext {
  deps: OAuthDeps & { syncConnection: (id: string) => Promise<unknown> };
  kit: ProviderKit;
  log: (line: string) => void;
}

/**
 * Starts connecting: stores the state (hashed) and the sealed PKCE verifier, and returns
 * the provider's consent address to send the person to.
 */
export async function beginOAuth(
  context: ConnectContext,
  actor: Actor,
  provider: string,
): Promise<string> {
  const { box, clock } = context.deps;
  const db = calendarDb(context.deps.db);
  if (!isOAuthProvider(provider)) throw notFound("calendar provider");
  const config = context.kit.config(provider);
  if (config === undefined) {
    throw new AppError("CALENDAR_PROVIDER_NOT_CONFIGURED", notSetUp(provider));
  }
  const now = clock.now();
  const state = createState();
  const pkce = createPkcePair();
  const id = newId("oas");
  // Abandoned attempts are of no use once expired.
  await db.deleteFrom("oauth_states").where("expires_at", "<", now).execute();
  await db
    .insertInto("oauth_states")
    .values({
      id,
      state_hash: tokenHash(state),
      organisation_id: actor.orgId,
      user_id: actor.userId,
      provider,
      code_verifier: await box.seal(pkce.verifier, stateBinding(id, actor.orgId)),
      created_at: now,
      expires_at: now + OAUTH_STATE_TTL_MS,
    })
    .execute();
  return authorizationUrl(config, { state, codeChallenge: pkce.challenge });
}

/** The sealed PKCE verifier of the actor's attempt, taken once; a message when there is none. */
async function takeAttempt(
  context: ConnectContext,
  actor: Actor,
  provider: OAuthProvider,
  params: CallbackParams,
): Promise<{ verifier: string } | { message: string }> {
  const { box, clock } = context.deps;
  const db = calendarDb(context.deps.db);
  const name = PROVIDER_NAMES[provider];
  const again = `Connect ${name} again to try once more.`;
  const state = params.state ?? "";
  if (state === "" || state.length > 500) {
    return { message: `The answer from ${name} did not say which attempt it belongs to. ${again}` };
  }
  const now = clock.now();
  const row = await db
    .selectFrom("oauth_states")
    .selectAll()
    .where("state_hash", "=", tokenHash(state))
    .where("organisation_id", "=", actor.orgId)
    .where("user_id", "=", actor.userId)
    .where("provider", "=", provider)
    .executeTakeFirst();
  const stale = `This answer from ${name} has expired or was already used. ${again}`;
  if (row === undefined) return { message: stale };
  // Single use: whoever deletes the row owns the attempt.
  const taken = await db.deleteFrom("oauth_states").where("id", "=", row.id).executeTakeFirst();
  if (Number(taken.numDeletedRows) !== 1 || Number(row.expires_at) < now) {
    return { message: stale };
  }
  if (params.error !== undefined && params.error !== "") {
    return {
      message:
        params.error === "access_denied"
          ? `You did not allow Ally to use your ${name}, so nothing was connected.`
          : `${name} did not connect the calendar (${params.error.slice(0, 80).replace(/[^\w.-]/g, "")}). ${again}`,
    };
  }
  return { verifier: await box.open(row.code_verifier, stateBinding(row.id, row.organisation_id)) };
}

/**
 * The provider's callback. Refuses (with a message for the person, storing nothing) a state
 * that is unknown, expired, already used or started by someone else, a refusal at the
 * provider, and a code the provider will not exchange.
 */
export async function completeOAuth(
  context: ConnectContext,
  actor: Actor,
  provider: string,
  params: CallbackParams,
): Promise<CompleteResult> {
  if (!isOAuthProvider(provider)) throw notFound("calendar provider");
  const name = PROVIDER_NAMES[provider];
  const again = `Connect ${name} again to try once more.`;
  const config = context.kit.config(provider);
  if (config === undefined) {
    return { ok: false, code: "CALENDAR_PROVIDER_NOT_CONFIGURED", message: notSetUp(provider) };
  }
  const attempt = await takeAttempt(context, actor, provider, params);
  if ("message" in attempt) return unusable(attempt.message);
  const code = params.code ?? "";
  if (code === "" || code.length > 4000) {
    return unusable(`${name} sent no authorisation code. ${again}`);
  }
  let tokens: TokenSet;
  try {
    tokens = await exchangeCode(config, context.kit.http[provider], {
      code,
      codeVerifier: attempt.verifier,
      now: () => context.deps.clock.now(),
    });
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return unusable(`Ally could not connect ${name}: ${error.message}. ${again}`);
  }
  return keepGrant(context, actor, provider, config, tokens);
}

/** Checks what was granted, reads the account, and saves the connection; or ends the grant. */
async function keepGrant(
  context: ConnectContext,
  actor: Actor,
  provider: OAuthProvider,
  config: OAuthClientConfig,
  tokens: TokenSet,
): Promise<CompleteResult> {
  const { kit, log } = context;
  const name = PROVIDER_NAMES[provider];
  const again = `Connect ${name} again to try once more.`;
  /** Nothing is kept after all: end the grant just issued, where the provider can. */
  const refuse = async (message: string): Promise<CompleteResult> => {
    if (provider === "google") {
      await revokeToken(config, kit.http.google, tokens.refreshToken ?? tokens.accessToken).catch(
        (error: Error) =>
          log(`ally: could not revoke a Google grant that was not kept: ${error.message}`),
      );
    }
    return unusable(message);
  };
  if (tokens.refreshToken === undefined) {
    return refuse(`${name} did not grant Ally lasting access (no refresh token). ${again}`);
  }
  // Google lets a person untick scopes on its consent page; without free/busy and events
  // the connection could only fail later.
  const missing =
    provider === "google" && tokens.scopes.length > 0
      ? GOOGLE_CALENDAR_SCOPES.filter((scope) => !tokens.scopes.includes(scope))
      : [];
  if (missing.length > 0) {
    return refuse(
      `Ally needs to see when you are busy and to add interviews to your calendar: allow both on ${name}'s consent page. ${again}`,
    );
  }
  let account: ProviderAccount;
  try {
    account =
      provider === "google"
        ? await readGoogleAccount(kit.http.google, tokens.accessToken, kit.endpoints.google)
        : await readMicrosoftAccount(
            kit.http.microsoft,
            tokens.accessToken,
            kit.endpoints.microsoft,
          );
  } catch (error) {
    if (!(error instanceof ConnectorError)) throw error;
    return refuse(`Ally could not connect ${name}: ${error.message}. ${again}`);
  }
  const id = await saveConnection(context, actor, provider, tokens, account);
  await context.deps.syncConnection(id);
  return { ok: true, connectionId: id };
}

/** Saves the connection with its tokens sealed; the primary calendar counts and receives. */
async function saveConnection(
  context: ConnectContext,
  actor: Actor,
  provider: OAuthProvider,
  tokens: TokenSet,
  account: ProviderAccount,
): Promise<string> {
  const { box, clock } = context.deps;
  const db = calendarDb(context.deps.db);
  const id = newId("cal");
  const calendars: ChosenCalendar[] = account.calendars.map((calendar) => ({
    id: calendar.id,
    name: calendar.name,
    busy: calendar.primary,
    receivesEvents: calendar.primary,
  }));
  const credentials = credentialsFrom(tokens);
  const row = newConnectionRow({
    id,
    organisation_id: actor.orgId,
    user_id: actor.userId,
    provider,
    label: PROVIDER_NAMES[provider],
    credentials: await box.seal(JSON.stringify(credentials), credentialsBinding(id, actor.orgId)),
    created_at: clock.now(),
    calendars: JSON.stringify(calendars),
    account: account.email.slice(0, 320),
  });
  await db.insertInto("calendar_connections").values(row).execute();
  return id;
}
