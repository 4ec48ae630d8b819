/**
 * Tables owned by the assistant: each organisation's settings (its Ally address, review mode,
 * follow-ups), one conversation per interview request (its reply address and memory), every
 * message in and out (by Message-ID, so a message is handled and sent once), and escalations
 * waiting for a person.
 */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export interface AssistantSettingsTable {
  organisation_id: string;
  /** Ally's address for this organisation (lower case, unique). */
  address: string;
  /** 1: every action waits for a person's approval; 0: Ally acts when sure. */
  review_mode: number;
  /** Follow-ups to a quiet candidate, at most. */
  follow_ups_max: number;
  updated_at: number;
}

export interface AssistantConversationsTable {
  id: string;
  organisation_id: string;
  /** Null while Ally waits for the recruiter to answer its intake question. */
  request_id: string | null;
  /** `ally+TOKEN@domain`: the address the candidate's replies come back to (unique). */
  reply_address: string;
  /** open, waiting-recruiter, closed. */
  status: string;
  candidate_email: string;
  candidate_name: string;
  recruiter_user_id: string;
  time_zone: string;
  /** JSON: the conversation's memory (assistant/decide.ts `Remembered`) and intake facts. */
  memory: string;
  follow_ups_sent: number;
  created_at: number;
  updated_at: number;
}

export interface AssistantMessagesTable {
  id: Generated<number>;
  organisation_id: string;
  conversation_id: string;
  /** in or out. */
  direction: string;
  message_id: string;
  /** candidate, recruiter, interviewer. */
  party: string;
  address: string;
  subject: string;
  text_body: string;
  /** What Ally made of it (in) or why it was sent (out). */
  note: string;
  created_at: number;
}

export interface AssistantEscalationsTable {
  id: string;
  organisation_id: string;
  conversation_id: string;
  request_id: string | null;
  /** The message Ally was not sure about (its new words). */
  message_text: string;
  /** JSON: the reader's reading. */
  reading: string;
  /** JSON: the action Ally suggests (decide.ts `Action`), or null. */
  suggested: string | null;
  reason: string;
  /** open, approved, dismissed. */
  status: string;
  created_at: number;
  resolved_at: number | null;
  resolved_by: string | null;
}

export interface AssistantTables {
  assistant_settings: AssistantSettingsTable;
  assistant_conversations: AssistantConversationsTable;
  assistant_messages: AssistantMessagesTable;
  assistant_escalations: AssistantEscalationsTable;
}

const coordinate = "schedule interviews by email";

export const assistantDataMap: TableNotes<AssistantTables> = {
  assistant_settings: {
    organisation_id: notPersonal,
    address: notPersonal,
    review_mode: notPersonal,
    follow_ups_max: notPersonal,
    updated_at: notPersonal,
  },
  assistant_conversations: {
    id: notPersonal,
    organisation_id: notPersonal,
    request_id: notPersonal,
    reply_address: notPersonal,
    status: notPersonal,
    candidate_email: personal("contact", coordinate, "customer"),
    candidate_name: personal("identity", coordinate, "customer"),
    recruiter_user_id: notPersonal,
    time_zone: notPersonal,
    memory: notPersonal,
    follow_ups_sent: notPersonal,
    created_at: notPersonal,
    updated_at: notPersonal,
  },
  assistant_messages: {
    id: notPersonal,
    organisation_id: notPersonal,
    conversation_id: notPersonal,
    direction: notPersonal,
    message_id: notPersonal,
    party: notPersonal,
    address: personal("contact", coordinate, "mail-90d"),
    subject: personal("recruiting", coordinate, "mail-90d"),
    text_body: personal("recruiting", coordinate, "mail-90d"),
    note: notPersonal,
    created_at: notPersonal,
  },
  assistant_escalations: {
    id: notPersonal,
    organisation_id: notPersonal,
    conversation_id: notPersonal,
    request_id: notPersonal,
    message_text: personal("recruiting", coordinate, "customer"),
    reading: notPersonal,
    suggested: notPersonal,
    reason: notPersonal,
    status: notPersonal,
    created_at: notPersonal,
    resolved_at: notPersonal,
    resolved_by: notPersonal,
  },
};
