/**
 * Tables owned by the surveys module: each organisation's survey settings, one invitation per
 * booked interview (the candidate's experience survey and its signed link), the interviewers
 * of that interview (their feedback reminder), the candidate's one answer, and the candidates
 * who asked not to be surveyed again. Times are epoch milliseconds.
 */
import type { Generated } from "kysely";
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

/** An organisation's choices; no row means the defaults (surveys on, 2 hours, reminders on). */
export interface SurveySettingsTable {
  organisation_id: string;
  /** 1: candidates are asked after their interview; 0: never. */
  candidate_surveys: number;
  /** How long after the interview's end the survey goes out. */
  delay_hours: number;
  /** 1: interviewers get one feedback reminder when the interview ends. */
  interviewer_reminders: number;
  updated_at: number;
}

export const INVITATION_STATUSES = ["scheduled", "sent", "skipped"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

/**
 * One per booked interview (booking), made when the interview has ended: `scheduled` until
 * `send_at`, then `sent` (with a link) or `skipped` (and why). Never a second for one booking.
 */
export interface SurveyInvitationsTable {
  id: string;
  organisation_id: string;
  /** Unique: one survey per interview. */
  booking_id: string;
  request_id: string;
  job_id: string;
  candidate_id: string;
  /** The end of the interview's last session. */
  ended_at: number;
  send_at: number;
  status: InvitationStatus;
  /** Why it was not sent: surveys-off, cancelled, no-candidate, restricted, objected, opted-out. */
  skipped_reason: string | null;
  /** SHA-256 of the link's token; null before sending and once the link has expired. */
  token_hash: string | null;
  expires_at: number | null;
  sent_at: number | null;
  created_at: number;
}

/** The interviewers of a surveyed interview, and when their feedback reminder went out. */
export interface SurveyInterviewersTable {
  id: Generated<number>;
  organisation_id: string;
  invitation_id: string;
  user_id: string;
  reminded_at: number | null;
}

/** The candidate's answer: one per invitation; the first one stands. */
export interface SurveyResponsesTable {
  invitation_id: string;
  organisation_id: string;
  /** Candidate NPS, 0–10: how likely they are to recommend applying here. */
  nps: number;
  /** 1–5, or null when left out. */
  scheduling: number | null;
  preparation: number | null;
  clarity: number | null;
  comment: string | null;
  answered_at: number;
}

/** Candidates who chose "don't ask me again", per organisation. */
export interface SurveyOptOutsTable {
  organisation_id: string;
  candidate_id: string;
  opted_out_at: number;
}

export interface SurveysTables {
  survey_settings: SurveySettingsTable;
  survey_invitations: SurveyInvitationsTable;
  survey_interviewers: SurveyInterviewersTable;
  survey_responses: SurveyResponsesTable;
  survey_opt_outs: SurveyOptOutsTable;
}

const experience = "learn how candidates experienced the customer's interviews";
const feedback = "remind interviewers to write their feedback, and show results per interviewer";

export const surveysDataMap: TableNotes<SurveysTables> = {
  survey_settings: {
    organisation_id: notPersonal,
    candidate_surveys: notPersonal,
    delay_hours: notPersonal,
    interviewer_reminders: notPersonal,
    updated_at: notPersonal,
  },
  survey_invitations: {
    id: notPersonal,
    organisation_id: notPersonal,
    booking_id: notPersonal,
    request_id: notPersonal,
    job_id: notPersonal,
    candidate_id: notPersonal,
    ended_at: personal("recruiting", experience, "survey-2y"),
    send_at: notPersonal,
    status: personal("recruiting", experience, "survey-2y"),
    skipped_reason: personal("recruiting", experience, "survey-2y"),
    token_hash: personal(
      "credential",
      "let the candidate answer the survey without an account",
      "token",
    ),
    expires_at: notPersonal,
    sent_at: personal("recruiting", experience, "survey-2y"),
    created_at: notPersonal,
  },
  survey_interviewers: {
    id: notPersonal,
    organisation_id: notPersonal,
    invitation_id: notPersonal,
    user_id: personal("employment", feedback, "survey-2y"),
    reminded_at: personal("employment", feedback, "survey-2y"),
  },
  survey_responses: {
    invitation_id: notPersonal,
    organisation_id: notPersonal,
    nps: personal("recruiting", experience, "survey-2y"),
    scheduling: personal("recruiting", experience, "survey-2y"),
    preparation: personal("recruiting", experience, "survey-2y"),
    clarity: personal("recruiting", experience, "survey-2y"),
    comment: personal("recruiting", experience, "survey-2y"),
    answered_at: personal("recruiting", experience, "survey-2y"),
  },
  survey_opt_outs: {
    organisation_id: notPersonal,
    candidate_id: notPersonal,
    // Honoured as long as the candidate record it belongs to is kept.
    opted_out_at: personal("recruiting", "not ask a candidate who declined again", "customer"),
  },
};
