/**
 * How the privacy module sends mail without importing the mail module (every module imports
 * privacy's data map, so privacy imports none of them): the caller passes the outbox's
 * `enqueueMail`, bound to its sender.
 * @example const mail: PrivacyMailer = (trx, message, now) => enqueueMail(trx, message, now, config.mail.from);
 */
import type { AnyHandle } from "./db.js";

export interface PrivacyMessage {
  organisationId: null;
  kind: string;
  to: string;
  subject: string;
  text: string;
  idempotencyKey?: string;
}

export type PrivacyMailer = (
  trx: AnyHandle,
  message: PrivacyMessage,
  now: number,
) => Promise<unknown>;
