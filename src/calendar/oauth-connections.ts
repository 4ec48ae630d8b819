/**
 * Google and Microsoft calendar connections, made from the web page with OAuth 2 (authorization
 * code with PKCE S256, RFC 7636). The facade over `oauth/`: the providers and their endpoints
 * (providers.ts), the connect flow (connect.ts), the choice of calendars (choose-calendars.ts),
 * and the sources, writers and revocation the sync and the event writer use (sources.ts).
 * Provider endpoints come in through `endpoints`, never from the environment, so tests point
 * them at local servers. No token is ever logged, shown or put in an error message.
 */
import type { Actor } from "../accounts/service.js";
import { type ChooseInput, calendarChoices, chooseCalendars } from "./oauth/choose-calendars.js";
import {
  beginOAuth,
  type CallbackParams,
  type ConnectContext,
  completeOAuth,
} from "./oauth/connect.js";
import { OAUTH_PROVIDERS, type OAuthDeps, providerKit } from "./oauth/providers.js";
import type { OAuthProvider } from "./tables.js";

export type { ChosenCalendar } from "./chosen-calendars.js";
export type { OAuthCredentials } from "./connector-for.js";
export type { CalendarChoices, ChooseInput } from "./oauth/choose-calendars.js";
export type { CallbackParams, CompleteResult } from "./oauth/connect.js";
export {
  isOAuthProvider,
  OAUTH_PROVIDERS,
  OAUTH_STATE_TTL_MS,
  type OAuthDeps,
  PROVIDER_ENDPOINTS,
  PROVIDER_NAMES,
  type ProviderEndpoints,
  redirectUri,
  SCOPES,
  stateBinding,
} from "./oauth/providers.js";
export { createOAuthSources, type OAuthSources } from "./oauth/sources.js";

export type OAuthConnections = ReturnType<typeof createOAuthConnections>;

/** The connect flow and the choice of calendars. */
export function createOAuthConnections(
  deps: OAuthDeps & {
    /** Syncs one connection now (connections.ts `syncConnection`). */
    syncConnection: (id: string) => Promise<unknown>;
  },
) {
  const context: ConnectContext = {
    deps,
    kit: providerKit(deps),
    log: deps.log ?? ((line: string) => console.error(line)),
  };
  return {
    /** The providers a member may connect on this server. */
    providers(): OAuthProvider[] {
      return OAUTH_PROVIDERS.filter((provider) => context.kit.config(provider) !== undefined);
    },
    /** Starts connecting: returns the provider's consent address to send the person to. */
    begin: (actor: Actor, provider: string) => beginOAuth(context, actor, provider),
    /** The provider's callback: a connection, or a message for the person. */
    complete: (actor: Actor, provider: string, params: CallbackParams) =>
      completeOAuth(context, actor, provider, params),
    /** The connection's calendars and what each is used for (its owner, or `members:manage`). */
    calendarChoices: (actor: Actor, id: string) => calendarChoices(deps.db, actor, id),
    /** Saves which calendars count as busy and which receives Ally's events, then syncs. */
    chooseCalendars: (actor: Actor, id: string, input: ChooseInput) =>
      chooseCalendars(deps, actor, id, input),
  };
}
