/**
 * Gmail and Microsoft 365 mailboxes read through their APIs, with an access token of the
 * organisation's Google or Microsoft connection (the port `accessToken`; the calendar module owns
 * those tokens and refreshes them). Only new mail is read:
 *
 * - Gmail: the first read records the mailbox's `historyId` (users.getProfile); later reads list
 *   what was added to the INBOX since (users.history.list, historyTypes=messageAdded) and fetch
 *   each message whole (users.messages.get, format=raw: base64url of RFC 2822). A `historyId`
 *   too old for Gmail to answer (404) starts again from the current one.
 * - Microsoft Graph: the first read walks the INBOX's delta (/me/mailFolders/inbox/messages/delta)
 *   to its `@odata.deltaLink` without storing; later reads follow the delta link and fetch each
 *   new message's MIME (/me/messages/{id}/$value). A delta link Graph no longer knows (410)
 *   starts again the same way.
 *
 * Messages changed rather than added (read, flagged) come back in a delta too: the store keeps
 * one copy per Message-ID, so they are not handled twice. No database here.
 */
import { z } from "zod";
import type { MailboxConnectionsTable } from "../tables.js";
import type { MailboxReader } from "./poller.js";

export interface ProviderMailEndpoints {
  /** default https://gmail.googleapis.com/gmail/v1 */
  gmailBaseUrl: string;
  /** default https://graph.microsoft.com/v1.0 */
  graphBaseUrl: string;
}

export const PROVIDER_MAIL_ENDPOINTS: ProviderMailEndpoints = {
  gmailBaseUrl: "https://gmail.googleapis.com/gmail/v1",
  graphBaseUrl: "https://graph.microsoft.com/v1.0",
};

/** The narrowest scopes that read a message whole: Gmail's read-only, Graph's Mail.Read. */
export const MAIL_READ_SCOPES = {
  google: ["https://www.googleapis.com/auth/gmail.readonly"],
  microsoft: ["Mail.Read"],
} as const;

export interface ProviderMailDeps {
  /** An access token for the connection's mail (its row names the calendar connection). */
  accessToken: (row: MailboxConnectionsTable) => Promise<string>;
  fetch: typeof fetch;
  endpoints?: ProviderMailEndpoints;
  /** Messages larger than this are passed over. */
  maxBytes: number;
  /** At most this many messages per read; the rest wait for the next. */
  batchSize?: number;
}

export class ProviderMailError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "ProviderMailError";
  }
}

async function call(deps: ProviderMailDeps, token: string, url: string): Promise<Response> {
  const response = await deps.fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) {
    await response.body?.cancel();
    throw new ProviderMailError(
      `${new URL(url).pathname} answered HTTP ${response.status}`,
      response.status,
    );
  }
  return response;
}

async function json<S extends z.ZodType>(
  deps: ProviderMailDeps,
  token: string,
  url: string,
  schema: S,
): Promise<z.infer<S>> {
  const response = await call(deps, token, url);
  const parsed = schema.safeParse(await response.json());
  if (!parsed.success) {
    throw new ProviderMailError(`${new URL(url).pathname} answered an unexpected shape`, 502);
  }
  return parsed.data;
}

const gmailProfile = z.object({ historyId: z.string().min(1) });
const gmailHistory = z.object({
  historyId: z.string().min(1),
  nextPageToken: z.string().optional(),
  history: z
    .array(
      z.object({
        messagesAdded: z
          .array(
            z.object({
              message: z.object({
                id: z.string().min(1),
                labelIds: z.array(z.string()).optional(),
              }),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
});
const gmailRaw = z.object({
  id: z.string(),
  raw: z.string(),
  sizeEstimate: z.number().optional(),
});

/** Gmail (users.history.list since the stored historyId). */
export function gmailReader(deps: ProviderMailDeps): MailboxReader {
  const base = (deps.endpoints ?? PROVIDER_MAIL_ENDPOINTS).gmailBaseUrl.replace(/\/+$/, "");
  const batch = deps.batchSize ?? 100;
  return async (row, store) => {
    const token = await deps.accessToken(row);
    const current = async () =>
      (await json(deps, token, `${base}/users/me/profile`, gmailProfile)).historyId;
    if (row.cursor === null) return { cursor: await current() };
    const added: string[] = [];
    let historyId = row.cursor;
    let pageToken: string | undefined;
    try {
      do {
        const query = new URLSearchParams({
          startHistoryId: row.cursor,
          historyTypes: "messageAdded",
          labelId: "INBOX",
          ...(pageToken === undefined ? {} : { pageToken }),
        });
        const page = await json(deps, token, `${base}/users/me/history?${query}`, gmailHistory);
        for (const entry of page.history ?? []) {
          for (const { message } of entry.messagesAdded ?? []) {
            const inbox = message.labelIds === undefined || message.labelIds.includes("INBOX");
            if (inbox && !added.includes(message.id)) added.push(message.id);
          }
        }
        historyId = page.historyId;
        pageToken = page.nextPageToken;
      } while (pageToken !== undefined && added.length < batch);
    } catch (error) {
      if (error instanceof ProviderMailError && error.status === 404)
        return { cursor: await current() };
      throw error;
    }
    for (const id of added.slice(0, batch)) {
      const message = await json(
        deps,
        token,
        `${base}/users/me/messages/${encodeURIComponent(id)}?format=raw`,
        gmailRaw,
      );
      const raw = Buffer.from(message.raw, "base64url");
      if (raw.length <= deps.maxBytes) await store(raw);
    }
    // More than a batch: stay at the stored cursor; the store drops what was already read.
    return { cursor: added.length > batch ? row.cursor : historyId };
  };
}

const graphDelta = z.object({
  value: z.array(
    z.object({
      id: z.string().min(1),
      "@removed": z.unknown().optional(),
    }),
  ),
  "@odata.nextLink": z.string().url().optional(),
  "@odata.deltaLink": z.string().url().optional(),
});

/** Microsoft 365 (Graph delta over the INBOX). */
export function graphReader(deps: ProviderMailDeps): MailboxReader {
  const base = (deps.endpoints ?? PROVIDER_MAIL_ENDPOINTS).graphBaseUrl.replace(/\/+$/, "");
  const start = `${base}/me/mailFolders/inbox/messages/delta?$select=id`;
  /** Follows a delta to its delta link; the ids of messages it names (none when `baseline`). */
  async function walk(token: string, from: string, baseline: boolean) {
    const ids: string[] = [];
    let next: string | undefined = from;
    for (let pages = 0; next !== undefined && pages < 1000; pages += 1) {
      const page: z.infer<typeof graphDelta> = await json(deps, token, next, graphDelta);
      if (!baseline) {
        for (const item of page.value) if (item["@removed"] === undefined) ids.push(item.id);
      }
      if (page["@odata.deltaLink"] !== undefined)
        return { ids, deltaLink: page["@odata.deltaLink"] };
      next = page["@odata.nextLink"];
    }
    throw new ProviderMailError("the INBOX's delta did not end in a delta link", 502);
  }
  return async (row, store) => {
    const token = await deps.accessToken(row);
    if (row.cursor === null) return { cursor: (await walk(token, start, true)).deltaLink };
    let found: { ids: string[]; deltaLink: string };
    try {
      found = await walk(token, row.cursor, false);
    } catch (error) {
      if (error instanceof ProviderMailError && error.status === 410) {
        return { cursor: (await walk(token, start, true)).deltaLink };
      }
      throw error;
    }
    const batch = deps.batchSize ?? 100;
    for (const id of found.ids.slice(0, batch)) {
      const response = await call(
        deps,
        token,
        `${base}/me/messages/${encodeURIComponent(id)}/$value`,
      );
      const raw = Buffer.from(await response.arrayBuffer());
      if (raw.length <= deps.maxBytes) await store(raw);
    }
    return { cursor: found.ids.length > batch ? row.cursor : found.deltaLink };
  };
}
