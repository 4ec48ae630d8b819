/** Tables owned by the hiring module: interviewers' profiles, candidates, jobs, pools, loops. */
import { notPersonal, personal, type TableNotes } from "../privacy/data-map.js";

export interface InterviewerProfilesTable {
  organisation_id: string;
  user_id: string;
  time_zone: string;
  /** JSON: WorkingHoursSpan[] (see src/engine/types.ts). */
  working_hours: string;
  per_day_limit: number | null;
  per_week_limit: number | null;
  updated_at: number;
}

export interface CandidatesTable {
  id: string;
  organisation_id: string;
  name: string;
  email: string;
  phone: string | null;
  time_zone: string | null;
  notes: string | null;
  created_at: number;
  updated_at: number;
}

export interface JobsTable {
  id: string;
  organisation_id: string;
  title: string;
  department: string | null;
  location: string | null;
  description: string | null;
  created_at: number;
  updated_at: number;
}

export interface PoolsTable {
  id: string;
  organisation_id: string;
  name: string;
  created_at: number;
  updated_at: number;
}

export interface PoolMembersTable {
  pool_id: string;
  organisation_id: string;
  user_id: string;
}

export interface LoopTemplatesTable {
  id: string;
  organisation_id: string;
  name: string;
  job_id: string | null;
  session_order: "fixed" | "any";
  max_gap_minutes: number;
  /** JSON: [{ name, durationMinutes, poolId, count }] in order. */
  sessions: string;
  created_at: number;
  updated_at: number;
}

export interface HiringTables {
  interviewer_profiles: InterviewerProfilesTable;
  candidates: CandidatesTable;
  jobs: JobsTable;
  pools: PoolsTable;
  pool_members: PoolMembersTable;
  loop_templates: LoopTemplatesTable;
}

const scheduling = "schedule interviews within the interviewer's hours and limits";
const candidacy = "arrange this candidate's interviews for the customer";

export const hiringDataMap: TableNotes<HiringTables> = {
  interviewer_profiles: {
    organisation_id: notPersonal,
    user_id: notPersonal,
    time_zone: personal("employment", scheduling, "membership"),
    working_hours: personal("employment", scheduling, "membership"),
    per_day_limit: personal("employment", scheduling, "membership"),
    per_week_limit: personal("employment", scheduling, "membership"),
    updated_at: notPersonal,
  },
  candidates: {
    id: notPersonal,
    organisation_id: notPersonal,
    name: personal("identity", candidacy, "customer"),
    email: personal("contact", candidacy, "customer"),
    phone: personal("contact", candidacy, "customer"),
    time_zone: personal("recruiting", candidacy, "customer"),
    notes: personal("recruiting", candidacy, "customer"),
    created_at: notPersonal,
    updated_at: notPersonal,
  },
  jobs: {
    id: notPersonal,
    organisation_id: notPersonal,
    title: notPersonal,
    department: notPersonal,
    location: notPersonal,
    description: notPersonal,
    created_at: notPersonal,
    updated_at: notPersonal,
  },
  pools: {
    id: notPersonal,
    organisation_id: notPersonal,
    name: notPersonal,
    created_at: notPersonal,
    updated_at: notPersonal,
  },
  pool_members: {
    pool_id: notPersonal,
    organisation_id: notPersonal,
    user_id: personal("employment", "choose interviewers for sessions", "membership"),
  },
  loop_templates: {
    id: notPersonal,
    organisation_id: notPersonal,
    name: notPersonal,
    job_id: notPersonal,
    session_order: notPersonal,
    max_gap_minutes: notPersonal,
    sessions: notPersonal,
    created_at: notPersonal,
    updated_at: notPersonal,
  },
};
