/** Table owned by the booking links: the candidate's signed links to a booking page. */
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export interface BookingLinksTable {
  /** `blink_…`; never shown to the candidate (the token is). */
  id: string;
  organisation_id: string;
  /** The interview request the link opens. */
  request_id: string;
  /** SHA-256 of the token handed to the candidate; the token itself is never stored. */
  token_hash: string;
  /** Epoch ms; the link opens nothing from this instant on. */
  expires_at: number;
  /** Epoch ms; set when the request is cancelled or a newer link replaces this one. */
  revoked_at: number | null;
  created_at: number;
}

export interface BookingLinkTables {
  booking_links: BookingLinksTable;
}

export const bookingLinkDataMap: TableNotes<BookingLinkTables> = {
  booking_links: {
    id: notPersonal,
    organisation_id: notPersonal,
    request_id: notPersonal,
    token_hash: personal(
      "credential",
      "let the candidate choose a time without an account",
      "token",
    ),
    expires_at: notPersonal,
    revoked_at: notPersonal,
    created_at: notPersonal,
  },
};
