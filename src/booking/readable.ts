/** Instants as people read them in Ally's emails to recruiters. */

/** An instant for people: `2026-12-02 14:00 UTC`. */
export const readable = (rfc3339: string) =>
  `${new Date(rfc3339).toISOString().slice(0, 16).replace("T", " ")} UTC`;
