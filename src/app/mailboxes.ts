/**
 * Wiring for connected mailboxes (mail/mailboxes/): what they store through (the SMTP
 * listener's store, with its trusted Authentication-Results and erased people), and the host
 * check that keeps typed-in IMAP servers off Ally's own network (calendar's guarded lookup).
 */

import { checkPublicHost } from "../calendar/connectors/guarded-fetch.js";
import type { Clock } from "../clock.js";
import type { Config } from "../config.js";
import { invalid } from "../errors.js";
import { storeInbound } from "../mail/inbound.js";
import type { MailboxDeps } from "../mail/mailboxes/connections.js";
import type { Tombstones } from "../privacy/tombstones.js";
import type { SecretStore } from "../secrets/secret-store.js";
import type { Store } from "../store/database.js";

/** Refuses hosts that resolve to loopback or private addresses, unless the server allows them. */
export function mailHostResolver(allowPrivateHosts: boolean): (host: string) => Promise<string> {
  return async (host) => {
    if (allowPrivateHosts) return host;
    const bracketed = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
    try {
      await checkPublicHost(new URL(`imap://${bracketed}`));
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      throw invalid(
        "host",
        code === "CALENDAR_INVALID"
          ? `${host} is on a private or local network, which Ally does not connect to`
          : `${host} cannot be reached`,
      );
    }
    return host;
  };
}

export function mailboxDepsFor(
  config: Config,
  store: Store,
  clock: Clock,
  box: SecretStore,
  tombstones: Tombstones,
): MailboxDeps {
  const trusted = config.mail.trustedAuthservId;
  return {
    db: store.db,
    clock,
    box,
    resolveHost: mailHostResolver(config.mail.mailboxes.allowPrivateHosts),
    maxBytes: config.mail.mailboxes.maxBytes,
    store: (raw, envelope) =>
      storeInbound(store.db, raw, envelope, clock.now(), {
        tombstones,
        ...(trusted === undefined ? {} : { trustedAuthservId: trusted }),
      }),
  };
}
