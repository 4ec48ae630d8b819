/**
 * The request list: by status, with the interview's date, what needs attention, and filters
 * (status, job, needs attention) and a sort (newest, or interview soonest), all in the query
 * string, so the form works without scripts and a filtered list can be bookmarked.
 */
import type { Context } from "hono";
import { Temporal } from "temporal-polyfill";
import { z } from "zod";
import { can } from "../../accounts/permissions.js";
import type { AttentionReason } from "../../booking/attention.js";
import type { InterviewRequest } from "../../booking/schemas.js";
import { REQUEST_STATUSES, type RequestStatus } from "../../booking/tables.js";
import type { AppEnv } from "../env.js";
import { requireActor } from "../forms.js";
import { ErrorSummary, type FieldErrors } from "../layout.js";
import { sectionFrame } from "../page-frame.js";
import { ATTENTION_TEXT } from "./home-overview.js";
import { durationText, STATUS_LABEL } from "./request-pages.js";

type C = Context<AppEnv>;

const frame = sectionFrame("/app/requests");

const SORTS = ["newest", "interview"] as const;

const listQuery = z.object({
  status: z
    .enum(REQUEST_STATUSES, { error: "Status: choose one of the listed statuses." })
    .optional(),
  job: z.string().trim().max(100, { error: "Job: choose one of the listed jobs." }).optional(),
  sort: z.enum(SORTS, { error: "Sort: choose newest or interview date." }).optional(),
  attention: z
    .enum(["1"], { error: "Needs attention: tick the box or leave it empty." })
    .optional(),
});
type ListQuery = z.infer<typeof listQuery>;

/** The query's filters, or the fields it got wrong. Empty values mean "any". */
function readQuery(c: C): { query: ListQuery; errors?: FieldErrors } {
  const raw: Record<string, string> = {};
  for (const key of ["status", "job", "sort", "attention"]) {
    const value = c.req.query(key);
    if (value !== undefined && value !== "") raw[key] = value;
  }
  const parsed = listQuery.safeParse(raw);
  if (parsed.success) return { query: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? "status");
    errors[field] = issue.message;
  }
  return { query: {}, errors };
}

const interviewStart = (r: InterviewRequest) =>
  r.booking?.status === "active" ? (r.booking.sessions[0]?.startsAt ?? null) : null;

function localText(instant: string, zone: string): string {
  const local = Temporal.Instant.from(instant).toZonedDateTimeISO(zone);
  return `${local.toPlainDate().toString()} ${local.toPlainTime().toString().slice(0, 5)} (${zone})`;
}

function sortRequests(requests: InterviewRequest[], sort: ListQuery["sort"]): InterviewRequest[] {
  if (sort !== "interview") return requests;
  // Soonest interview first; requests with none keep their newest-first order after them.
  return [...requests].sort((a, b) => {
    const x = interviewStart(a);
    const y = interviewStart(b);
    if (x === null || y === null) return x === null ? (y === null ? 0 : 1) : -1;
    return x.localeCompare(y);
  });
}

function Filters(props: { query: ListQuery; jobs: { id: string; title: string }[] }) {
  const { query, jobs } = props;
  return (
    <form method="get" action="/app/requests" class="filters card" aria-label="Filter requests">
      <div class="field">
        <label for="field-status">Status</label>
        <select id="field-status" name="status">
          <option value="">Any</option>
          {REQUEST_STATUSES.map((s) => (
            <option value={s} selected={query.status === s}>
              {STATUS_LABEL[s]}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="field-job">Job</label>
        <select id="field-job" name="job">
          <option value="">Any</option>
          {jobs.map((j) => (
            <option value={j.id} selected={query.job === j.id}>
              {j.title}
            </option>
          ))}
        </select>
      </div>
      <div class="field">
        <label for="field-sort">Sort</label>
        <select id="field-sort" name="sort">
          <option value="newest" selected={query.sort !== "interview"}>
            Newest first
          </option>
          <option value="interview" selected={query.sort === "interview"}>
            Interview date, soonest first
          </option>
        </select>
      </div>
      <div class="check">
        <input
          type="checkbox"
          id="field-attention"
          name="attention"
          value="1"
          checked={query.attention === "1"}
        />
        <label for="field-attention">Only those that need attention</label>
      </div>
      <div class="actions">
        <button type="submit" class="secondary">
          Show
        </button>
        <a href="/app/requests">Clear</a>
      </div>
    </form>
  );
}

function RequestTable(props: {
  rows: InterviewRequest[];
  candidateName: Map<string, string>;
  jobTitle: Map<string, string>;
  attention: Map<string, AttentionReason[]>;
  nowMs: number;
}) {
  const { rows, candidateName, jobTitle, attention, nowMs } = props;
  return (
    <div class="table-wrap">
      <table class="stacked">
        <thead>
          <tr>
            <th scope="col">Candidate</th>
            <th scope="col">Job</th>
            <th scope="col">Interview</th>
            <th scope="col">Needs attention</th>
            <th scope="col">Time to schedule</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => {
            const start = interviewStart(r);
            const reasons = attention.get(r.id) ?? [];
            return (
              <tr>
                <td data-label="Candidate">
                  <a href={`/app/requests/${r.id}`}>
                    {candidateName.get(r.candidateId) ?? "A candidate"}
                  </a>
                </td>
                <td data-label="Job">{jobTitle.get(r.jobId) ?? ""}</td>
                <td data-label="Interview">{start ? localText(start, r.timeZone) : "–"}</td>
                <td data-label="Needs attention">
                  {reasons.length === 0 ? "–" : reasons.map((x) => ATTENTION_TEXT[x]).join("; ")}
                </td>
                <td data-label="Time to schedule">
                  {r.scheduledAt
                    ? durationText(Date.parse(r.scheduledAt) - Date.parse(r.createdAt))
                    : `open for ${durationText(nowMs - Date.parse(r.createdAt))}`}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/** GET /app/requests. */
export async function requestListPage(c: C): Promise<Response> {
  const actor = requireActor(c);
  const { booking, hiring, clock } = c.get("deps");
  const { query, errors } = readQuery(c);
  const [all, candidates, jobs, overview] = await Promise.all([
    booking.listRequests(actor),
    hiring.listCandidates(actor),
    hiring.listJobs(actor),
    booking.overview(actor),
  ]);
  const attention = new Map<string, AttentionReason[]>();
  for (const item of overview.attention) {
    attention.set(item.requestId, [...(attention.get(item.requestId) ?? []), item.reason]);
  }
  const requests = sortRequests(
    all.filter(
      (r) =>
        (query.status === undefined || r.status === query.status) &&
        (query.job === undefined || r.jobId === query.job) &&
        (query.attention === undefined || attention.has(r.id)),
    ),
    query.sort,
  );
  const byStatus = (status: RequestStatus) => requests.filter((r) => r.status === status);
  const filtered = Object.keys(query).length > 0;
  const table = {
    candidateName: new Map(candidates.map((x) => [x.id, x.name])),
    jobTitle: new Map(jobs.map((x) => [x.id, x.title])),
    attention,
    nowMs: clock.now(),
  };
  const page = frame(
    c,
    "Interview requests",
    <>
      <h1>Interview requests</h1>
      <ErrorSummary errors={errors} />
      {can(actor.role, "candidates:write") ? (
        <p>
          <a class="button" href="/app/requests/new">
            New request
          </a>
        </p>
      ) : null}
      <Filters query={query} jobs={jobs} />
      {requests.length === 0 ? (
        <p>{filtered ? "No requests match these filters." : "No interview requests yet."}</p>
      ) : null}
      {REQUEST_STATUSES.filter((s) => byStatus(s).length > 0).map((status) => (
        <section aria-labelledby={`status-${status}`}>
          <h2 id={`status-${status}`}>
            {STATUS_LABEL[status]} ({byStatus(status).length})
          </h2>
          <RequestTable rows={byStatus(status)} {...table} />
        </section>
      ))}
    </>,
    false,
  );
  return errors === undefined ? c.html(page) : c.html(page, 422);
}
