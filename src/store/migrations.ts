/**
 * Migrations, one list for SQLite and PostgreSQL. Applied by `ally migrate` and at the start of
 * `ally serve`. A migration, once released, never changes; add a new one instead.
 */
import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from "kysely";
import type { Dialect } from "./database.js";

// biome-ignore lint/suspicious/noExplicitAny: migrations see the schema as it was, not as typed now.
type AnyDb = Kysely<any>;

function migrations(dialect: Dialect): Record<string, Migration> {
  /** An auto-increment integer primary key on either dialect. */
  const serial = (table: ReturnType<AnyDb["schema"]["createTable"]>, column: string) =>
    dialect === "postgres"
      ? table.addColumn(column, "bigserial", (c) => c.primaryKey())
      : table.addColumn(column, "integer", (c) => c.primaryKey().autoIncrement());

  return {
    "0001-accounts-hiring-mail": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("organisations")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("users")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("email", "text", (c) => c.notNull().unique())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("phone", "text", (c) => c.notNull())
          .addColumn("postal_address", "text", (c) => c.notNull())
          .addColumn("password_hash", "text", (c) => c.notNull())
          .addColumn("email_verified_at", "bigint")
          .addColumn("totp_secret", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("memberships")
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("memberships_pk", ["organisation_id", "user_id"])
          .execute();
        await db.schema
          .createTable("sessions")
          .addColumn("id_hash", "text", (c) => c.primaryKey())
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("csrf_token", "text", (c) => c.notNull())
          .addColumn("pending_second_factor", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("ip", "text", (c) => c.notNull())
          .addColumn("user_agent", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("email_tokens")
          .addColumn("token_hash", "text", (c) => c.primaryKey())
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("purpose", "text", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("used_at", "bigint")
          .execute();
        await db.schema
          .createTable("invitations")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("email", "text", (c) => c.notNull())
          .addColumn("role", "text", (c) => c.notNull())
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("invited_by", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("accepted_at", "bigint")
          .execute();
        await db.schema
          .createTable("api_tokens")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("last_used_at", "bigint")
          .addColumn("revoked_at", "bigint")
          .execute();
        await db.schema
          .createTable("rate_limits")
          .addColumn("key", "text", (c) => c.notNull())
          .addColumn("window_start", "bigint", (c) => c.notNull())
          .addColumn("count", "integer", (c) => c.notNull())
          .addPrimaryKeyConstraint("rate_limits_pk", ["key", "window_start"])
          .execute();
        await serial(db.schema.createTable("audit_log"), "id")
          .addColumn("organisation_id", "text")
          .addColumn("actor_user_id", "text")
          .addColumn("action", "text", (c) => c.notNull())
          .addColumn("target", "text")
          .addColumn("ip", "text")
          .addColumn("at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("audit_log_by_organisation")
          .on("audit_log")
          .columns(["organisation_id", "at"])
          .execute();

        await db.schema
          .createTable("interviewer_profiles")
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("time_zone", "text", (c) => c.notNull())
          .addColumn("working_hours", "text", (c) => c.notNull())
          .addColumn("per_day_limit", "integer")
          .addColumn("per_week_limit", "integer")
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("interviewer_profiles_pk", ["organisation_id", "user_id"])
          .execute();
        for (const table of ["candidates", "jobs", "pools", "loop_templates"]) {
          let builder = db.schema
            .createTable(table)
            .addColumn("id", "text", (c) => c.primaryKey())
            .addColumn("organisation_id", "text", (c) =>
              c.notNull().references("organisations.id").onDelete("cascade"),
            );
          if (table === "candidates") {
            builder = builder
              .addColumn("name", "text", (c) => c.notNull())
              .addColumn("email", "text", (c) => c.notNull())
              .addColumn("phone", "text")
              .addColumn("time_zone", "text")
              .addColumn("notes", "text");
          } else if (table === "jobs") {
            builder = builder
              .addColumn("title", "text", (c) => c.notNull())
              .addColumn("department", "text")
              .addColumn("location", "text")
              .addColumn("description", "text");
          } else if (table === "pools") {
            builder = builder.addColumn("name", "text", (c) => c.notNull());
          } else {
            builder = builder
              .addColumn("name", "text", (c) => c.notNull())
              .addColumn("job_id", "text", (c) => c.references("jobs.id").onDelete("set null"))
              .addColumn("session_order", "text", (c) => c.notNull())
              .addColumn("max_gap_minutes", "integer", (c) => c.notNull())
              .addColumn("sessions", "text", (c) => c.notNull());
          }
          await builder
            .addColumn("created_at", "bigint", (c) => c.notNull())
            .addColumn("updated_at", "bigint", (c) => c.notNull())
            .execute();
          await db.schema
            .createIndex(`${table}_by_organisation`)
            .on(table)
            .columns(["organisation_id", "created_at"])
            .execute();
        }
        await db.schema
          .createTable("pool_members")
          .addColumn("pool_id", "text", (c) =>
            c.notNull().references("pools.id").onDelete("cascade"),
          )
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addPrimaryKeyConstraint("pool_members_pk", ["pool_id", "user_id"])
          .execute();

        await serial(db.schema.createTable("outbox"), "id")
          .addColumn("organisation_id", "text")
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("to_address", "text", (c) => c.notNull())
          .addColumn("subject", "text", (c) => c.notNull())
          .addColumn("text_body", "text", (c) => c.notNull())
          .addColumn("html_body", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("claimed_until", "bigint")
          .addColumn("sent_at", "bigint")
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("last_error", "text")
          .addColumn("message_id", "text", (c) => c.notNull().unique())
          .addColumn("file_path", "text")
          .execute();
        await db.schema
          .createIndex("outbox_unsent")
          .on("outbox")
          .columns(["sent_at", "id"])
          .execute();
      },
    },
    "0002-data-keys": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("data_keys")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("scope", "text", (c) => c.notNull())
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("generation", "integer", (c) => c.notNull())
          .addColumn("wrapped_key", "text", (c) => c.notNull())
          .addColumn("master_version", "integer", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("retired_at", "bigint")
          .addUniqueConstraint("data_keys_scope_generation", ["scope", "generation"])
          .execute();
      },
    },
    "0003-calendar-connections": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("calendar_connections")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("provider", "text", (c) => c.notNull())
          .addColumn("label", "text", (c) => c.notNull())
          .addColumn("credentials", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("last_synced_at", "bigint")
          .addColumn("last_attempt_at", "bigint")
          .addColumn("last_error", "text")
          .addColumn("alerted_at", "bigint")
          .addColumn("claimed_until", "bigint")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("calendar_connections_owner")
          .on("calendar_connections")
          .columns(["organisation_id", "user_id"])
          .execute();
        await serial(db.schema.createTable("busy_blocks"), "id")
          .addColumn("connection_id", "text", (c) =>
            c.notNull().references("calendar_connections.id").onDelete("cascade"),
          )
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("start_at", "bigint", (c) => c.notNull())
          .addColumn("end_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("busy_blocks_person")
          .on("busy_blocks")
          .columns(["organisation_id", "user_id", "start_at"])
          .execute();
      },
    },
    "0004-calendar-sync-state": {
      async up(db: AnyDb) {
        // One column per statement: SQLite's ALTER TABLE adds one column at a time.
        const add = (column: string, type: "text" | "bigint" | "integer", notNull = false) =>
          db.schema
            .alterTable("calendar_connections")
            .addColumn(column, type, (c) => (notNull ? c.notNull().defaultTo(0) : c))
            .execute();
        await add("sync_state", "text");
        await add("failure_count", "integer", true);
        await add("next_attempt_at", "bigint");
        await add("calendars", "text");
        await add("account", "text");
      },
    },
    "0005-oauth-states": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("oauth_states")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("state_hash", "text", (c) => c.notNull().unique())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("provider", "text", (c) => c.notNull())
          .addColumn("code_verifier", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("oauth_states_expiry")
          .on("oauth_states")
          .column("expires_at")
          .execute();
      },
    },
    "0006-interview-requests-bookings": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("interview_requests")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("candidate_id", "text", (c) =>
            c.notNull().references("candidates.id").onDelete("cascade"),
          )
          .addColumn("job_id", "text", (c) => c.notNull().references("jobs.id").onDelete("cascade"))
          .addColumn("loop_template_id", "text")
          .addColumn("sessions", "text", (c) => c.notNull())
          .addColumn("session_order", "text", (c) => c.notNull())
          .addColumn("max_gap_minutes", "integer", (c) => c.notNull())
          .addColumn("window_start", "bigint", (c) => c.notNull())
          .addColumn("window_end", "bigint", (c) => c.notNull())
          .addColumn("time_zone", "text", (c) => c.notNull())
          .addColumn("location", "text")
          .addColumn("video_link", "text")
          .addColumn("notes", "text")
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("created_by", "text", (c) => c.notNull())
          .addColumn("offered_options", "text")
          .addColumn("offered_at", "bigint")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addColumn("scheduled_at", "bigint")
          .execute();
        await db.schema
          .createIndex("interview_requests_status")
          .on("interview_requests")
          .columns(["organisation_id", "status", "created_at"])
          .execute();
        await serial(db.schema.createTable("request_events"), "id")
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("request_id", "text", (c) =>
            c.notNull().references("interview_requests.id").onDelete("cascade"),
          )
          .addColumn("at", "bigint", (c) => c.notNull())
          .addColumn("actor_kind", "text", (c) => c.notNull())
          .addColumn("actor_id", "text")
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("detail", "text", (c) => c.notNull())
          .addColumn("idempotency_key", "text")
          .addUniqueConstraint("request_events_idempotency", ["organisation_id", "idempotency_key"])
          .execute();
        await db.schema
          .createIndex("request_events_request")
          .on("request_events")
          .columns(["request_id", "id"])
          .execute();
        await db.schema
          .createTable("bookings")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("request_id", "text", (c) =>
            c.notNull().references("interview_requests.id").onDelete("cascade"),
          )
          .addColumn("ical_uid", "text", (c) => c.notNull().unique())
          .addColumn("sequence", "integer", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("idempotency_key", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addUniqueConstraint("bookings_idempotency", ["organisation_id", "idempotency_key"])
          .execute();
        await db.schema
          .createIndex("bookings_request")
          .on("bookings")
          .columns(["request_id"])
          .execute();
        await serial(db.schema.createTable("booked_slots"), "id")
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("booking_id", "text", (c) =>
            c.notNull().references("bookings.id").onDelete("cascade"),
          )
          .addColumn("resource", "text", (c) => c.notNull())
          .addColumn("session_name", "text", (c) => c.notNull())
          .addColumn("starts_at", "bigint", (c) => c.notNull())
          .addColumn("ends_at", "bigint", (c) => c.notNull())
          .addColumn("active", "integer", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("booked_slots_resource")
          .on("booked_slots")
          .columns(["organisation_id", "resource", "starts_at"])
          .execute();
        if (dialect === "postgres") {
          // Two active slots of one resource never overlap: half-open ranges of epoch
          // milliseconds, enforced by the database whatever the application checks.
          await sql`CREATE EXTENSION IF NOT EXISTS btree_gist`.execute(db);
          await sql`ALTER TABLE booked_slots ADD CONSTRAINT booked_slots_no_overlap
            EXCLUDE USING gist (resource WITH =, int8range(starts_at, ends_at, '[)') WITH &&)
            WHERE (active = 1)`.execute(db);
        }
      },
    },
    "0007-invitations-event-writes": {
      async up(db: AnyDb) {
        // iMIP parts of outgoing mail; one column per statement for SQLite.
        await db.schema.alterTable("outbox").addColumn("calendar_method", "text").execute();
        await db.schema.alterTable("outbox").addColumn("calendar_ics", "text").execute();
        await serial(db.schema.createTable("calendar_event_writes"), "id")
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("booking_uid", "text", (c) => c.notNull())
          .addColumn("action", "text", (c) => c.notNull())
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("next_attempt_at", "bigint", (c) => c.notNull())
          .addColumn("claimed_until", "bigint")
          .addColumn("last_error", "text")
          .addColumn("outcome", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("done_at", "bigint")
          .execute();
        await db.schema
          .createIndex("calendar_event_writes_due")
          .on("calendar_event_writes")
          .columns(["status", "next_attempt_at"])
          .execute();
        await db.schema
          .createIndex("calendar_event_writes_event")
          .on("calendar_event_writes")
          .columns(["organisation_id", "user_id", "booking_uid"])
          .execute();
        await db.schema
          .createTable("calendar_event_links")
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("booking_uid", "text", (c) => c.notNull())
          .addColumn("connection_id", "text", (c) =>
            c.notNull().references("calendar_connections.id").onDelete("cascade"),
          )
          .addColumn("provider_ref", "text", (c) => c.notNull())
          .addColumn("etag", "text")
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("calendar_event_links_pk", [
            "organisation_id",
            "booking_uid",
            "connection_id",
          ])
          .execute();
      },
    },
    "0008-booking-links": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("booking_links")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("request_id", "text", (c) =>
            c.notNull().references("interview_requests.id").onDelete("cascade"),
          )
          .addColumn("token_hash", "text", (c) => c.notNull().unique())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("revoked_at", "bigint")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("booking_links_request")
          .on("booking_links")
          .columns(["organisation_id", "request_id"])
          .execute();
      },
    },
    "0009-inbound-mail": {
      async up(db: AnyDb) {
        await serial(db.schema.createTable("inbound_mail"), "id")
          .addColumn("message_id", "text", (c) => c.notNull().unique())
          .addColumn("envelope_from", "text", (c) => c.notNull())
          .addColumn("envelope_to", "text", (c) => c.notNull())
          .addColumn("from_address", "text", (c) => c.notNull())
          .addColumn("subject", "text", (c) => c.notNull())
          .addColumn("text_body", "text", (c) => c.notNull())
          .addColumn("calendar_ics", "text")
          .addColumn("calendar_method", "text")
          .addColumn("in_reply_to", "text")
          .addColumn("received_at", "bigint", (c) => c.notNull())
          .addColumn("claimed_until", "bigint")
          .addColumn("handled_at", "bigint")
          .addColumn("outcome", "text")
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema
          .createIndex("inbound_mail_unhandled")
          .on("inbound_mail")
          .columns(["handled_at", "id"])
          .execute();
      },
    },
    "0010-calendar-push-channels": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("calendar_push_channels")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("connection_id", "text", (c) =>
            c.notNull().references("calendar_connections.id").onDelete("cascade"),
          )
          .addColumn("provider", "text", (c) => c.notNull())
          .addColumn("calendar_id", "text", (c) => c.notNull())
          .addColumn("resource_id", "text", (c) => c.notNull())
          .addColumn("token_hash", "text", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("calendar_push_channels_by_connection")
          .on("calendar_push_channels")
          .columns(["connection_id", "expires_at"])
          .execute();
        await db.schema
          .createIndex("calendar_push_channels_by_resource")
          .on("calendar_push_channels")
          .columns(["provider", "resource_id"])
          .execute();
      },
    },
    "0011-scheduled-jobs": {
      async up(db: AnyDb) {
        await serial(db.schema.createTable("scheduled_jobs"), "id")
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("key", "text", (c) => c.notNull().unique())
          .addColumn("payload", "text", (c) => c.notNull())
          .addColumn("run_at", "bigint", (c) => c.notNull())
          .addColumn("claimed_until", "bigint")
          .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("done_at", "bigint")
          .addColumn("last_error", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("scheduled_jobs_due")
          .on("scheduled_jobs")
          .columns(["done_at", "run_at"])
          .execute();
      },
    },
    "0012-attendee-responses": {
      async up(db: AnyDb) {
        await serial(db.schema.createTable("attendee_responses"), "id")
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("booking_id", "text", (c) =>
            c.notNull().references("bookings.id").onDelete("cascade"),
          )
          .addColumn("session_index", "integer", (c) => c.notNull())
          .addColumn("attendee_email", "text", (c) => c.notNull())
          .addColumn("user_id", "text")
          .addColumn("partstat", "text", (c) => c.notNull())
          .addColumn("sequence", "integer", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addUniqueConstraint("attendee_responses_one_per_attendee", [
            "booking_id",
            "session_index",
            "attendee_email",
          ])
          .execute();
      },
    },
    "0013-candidate-calendars": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("candidate_calendars")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("request_id", "text", (c) =>
            c.notNull().unique().references("interview_requests.id").onDelete("cascade"),
          )
          .addColumn("url", "text", (c) => c.notNull())
          .addColumn("label", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("last_read_at", "bigint")
          .addColumn("last_error", "text")
          .execute();
      },
    },
    "0014-booked-slots-booking-index": {
      async up(db: AnyDb) {
        // A booking's slots are read and released by booking id; without this index each read
        // scanned every active slot of the organisation.
        await db.schema
          .createIndex("booked_slots_booking")
          .on("booked_slots")
          .columns(["booking_id"])
          .execute();
      },
    },
    "0015-mail-trust": {
      async up(db: AnyDb) {
        // The DMARC verdict of Ally's own MX (Authentication-Results), when it stamped one.
        await db.schema.alterTable("inbound_mail").addColumn("dmarc", "text").execute();
        // Sends are counted per recipient and per organisation over the last hour.
        await db.schema
          .createIndex("outbox_to_address_created_at")
          .on("outbox")
          .columns(["to_address", "created_at"])
          .execute();
        await db.schema
          .createIndex("outbox_organisation_created_at")
          .on("outbox")
          .columns(["organisation_id", "created_at"])
          .execute();
      },
    },
    "0016-account-security": {
      async up(db: AnyDb) {
        // Tokens made before scopes existed could read and write; they keep doing so.
        await db.schema
          .alterTable("api_tokens")
          .addColumn("scopes", "text", (c) => c.notNull().defaultTo("read write"))
          .execute();
        await db.schema
          .createTable("sign_in_failures")
          .addColumn("account_key", "text", (c) => c.notNull())
          .addColumn("ip_bucket", "text", (c) => c.notNull())
          .addColumn("failures", "integer", (c) => c.notNull())
          .addColumn("last_failed_at", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("sign_in_failures_pk", ["account_key", "ip_bucket"])
          .execute();
      },
    },
    "0017-durable-queue": {
      async up(db: AnyDb) {
        // One lease queue (jobs/lease-queue.ts) over the four job tables: a row that failed its
        // last attempt is a dead letter (`dead_at`), listed for admins and retried by hand.
        for (const table of ["scheduled_jobs", "outbox", "inbound_mail", "calendar_event_writes"]) {
          await db.schema.alterTable(table).addColumn("dead_at", "bigint").execute();
        }
        await db.schema.alterTable("inbound_mail").addColumn("last_error", "text").execute();
        // An outbox message may name the cause it is sent for (a key): the same key twice is
        // one message, whichever process enqueues it.
        await db.schema.alterTable("outbox").addColumn("idempotency_key", "text").execute();
        await db.schema
          .createIndex("outbox_idempotency_key")
          .on("outbox")
          .column("idempotency_key")
          .unique()
          .execute();
        // Messages the outbox gave up on before dead letters existed (its old limit: 8 tries).
        await db
          .updateTable("outbox")
          .set({ dead_at: sql`created_at` })
          .where("sent_at", "is", null)
          .where("attempts", ">=", 8)
          .execute();
      },
    },
    "0018-privacy-policy-and-contact": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("privacy_policy_publications")
          .addColumn("version", "integer", (c) => c.primaryKey())
          .addColumn("published_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("privacy_policy_acceptances")
          .addColumn("user_id", "text", (c) =>
            c.notNull().references("users.id").onDelete("cascade"),
          )
          .addColumn("version", "integer", (c) => c.notNull())
          .addColumn("accepted_at", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("privacy_policy_acceptances_pk", ["user_id", "version"])
          .execute();
        await serial(db.schema.createTable("privacy_contact_messages"), "id")
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("email", "text", (c) => c.notNull())
          .addColumn("topic", "text", (c) => c.notNull())
          .addColumn("message", "text", (c) => c.notNull())
          .addColumn("received_at", "bigint", (c) => c.notNull())
          .addColumn("due_at", "bigint", (c) => c.notNull())
          .addColumn("answered_at", "bigint")
          .execute();
        await db.schema
          .createIndex("privacy_contact_messages_open")
          .on("privacy_contact_messages")
          .columns(["answered_at", "due_at"])
          .execute();
      },
    },
    "0019-account-life": {
      async up(db: AnyDb) {
        // A new address waits here until the link mailed to it is opened (accounts/profile.ts).
        await db.schema.alterTable("users").addColumn("pending_email", "text").execute();
        // An organisation an owner is closing: erased after its grace period (org-closure.ts).
        await db.schema.alterTable("organisations").addColumn("closing_since", "bigint").execute();
        await db.schema.alterTable("organisations").addColumn("erase_after", "bigint").execute();
      },
    },
    "0020-privacy-requests": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("privacy_requests")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("controller", "text", (c) => c.notNull())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("email", "text", (c) => c.notNull())
          .addColumn("user_id", "text")
          .addColumn("details", "text")
          .addColumn("jurisdiction", "text", (c) => c.notNull())
          .addColumn("received_at", "bigint", (c) => c.notNull())
          .addColumn("verified_at", "bigint")
          .addColumn("due_at", "bigint")
          .addColumn("extended", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("completed_at", "bigint")
          .addColumn("completed_by", "text")
          .addColumn("policy_version", "text", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("privacy_requests_queue")
          .on("privacy_requests")
          .columns(["organisation_id", "status", "due_at"])
          .execute();
        await db.schema
          .createIndex("privacy_requests_email")
          .on("privacy_requests")
          .column("email")
          .execute();
        await db.schema
          .createTable("privacy_verifications")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("email", "text", (c) => c.notNull())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("details", "text")
          .addColumn("jurisdiction", "text", (c) => c.notNull())
          .addColumn("code_hash", "text", (c) => c.notNull())
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("attempts", "integer", (c) => c.notNull())
          .addColumn("network", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("verified_at", "bigint")
          .execute();
        await db.schema
          .createIndex("privacy_verifications_email")
          .on("privacy_verifications")
          .columns(["email", "created_at"])
          .execute();
        await db.schema
          .createTable("person_flags")
          .addColumn("email", "text", (c) => c.notNull())
          .addColumn("flag", "text", (c) => c.notNull())
          .addColumn("set_at", "bigint", (c) => c.notNull())
          .addColumn("request_id", "text")
          .addPrimaryKeyConstraint("person_flags_pk", ["email", "flag"])
          .execute();
        await db.schema
          .createTable("privacy_exports")
          .addColumn("token_hash", "text", (c) => c.primaryKey())
          .addColumn("request_id", "text", (c) =>
            c.notNull().references("privacy_requests.id").onDelete("cascade"),
          )
          .addColumn("expires_at", "bigint", (c) => c.notNull())
          .addColumn("used_at", "bigint")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
      },
    },
    "0021-erasure": {
      async up(db: AnyDb) {
        await serial(db.schema.createTable("erasure_tombstones"), "id")
          .addColumn("organisation_id", "text")
          .addColumn("key_version", "integer", (c) => c.notNull())
          .addColumn("email_hash", "text", (c) => c.notNull())
          .addColumn("erased_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("erasure_tombstones_email_hash")
          .on("erasure_tombstones")
          .column("email_hash")
          .execute();
        await db.schema
          .createTable("erasure_proofs")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text")
          .addColumn("erased_at", "bigint", (c) => c.notNull())
          .addColumn("summary", "text", (c) => c.notNull())
          .execute();
      },
    },
    "0023-assistant": {
      async up(db: AnyDb) {
        // Mail keeps the headers loop safety and threading read, and sends the ones Ally sets.
        await db.schema.alterTable("inbound_mail").addColumn("headers", "text").execute();
        await db.schema.alterTable("outbox").addColumn("headers", "text").execute();
        await db.schema
          .createTable("assistant_settings")
          .addColumn("organisation_id", "text", (c) => c.primaryKey())
          .addColumn("address", "text", (c) => c.notNull().unique())
          .addColumn("review_mode", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("follow_ups_max", "integer", (c) => c.notNull().defaultTo(2))
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("assistant_conversations")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("request_id", "text", (c) => c.unique())
          .addColumn("reply_address", "text", (c) => c.notNull().unique())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("candidate_email", "text", (c) => c.notNull())
          .addColumn("candidate_name", "text", (c) => c.notNull())
          .addColumn("recruiter_user_id", "text", (c) => c.notNull())
          .addColumn("time_zone", "text", (c) => c.notNull())
          .addColumn("memory", "text", (c) => c.notNull())
          .addColumn("follow_ups_sent", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();
        await serial(db.schema.createTable("assistant_messages"), "id")
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("conversation_id", "text", (c) =>
            c.notNull().references("assistant_conversations.id").onDelete("cascade"),
          )
          .addColumn("direction", "text", (c) => c.notNull())
          .addColumn("message_id", "text", (c) => c.notNull())
          .addColumn("party", "text", (c) => c.notNull())
          .addColumn("address", "text", (c) => c.notNull())
          .addColumn("subject", "text", (c) => c.notNull())
          .addColumn("text_body", "text", (c) => c.notNull())
          .addColumn("note", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addUniqueConstraint("assistant_messages_once", ["direction", "message_id"])
          .execute();
        await db.schema
          .createIndex("assistant_messages_conversation")
          .on("assistant_messages")
          .columns(["conversation_id", "created_at"])
          .execute();
        await db.schema
          .createTable("assistant_escalations")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("conversation_id", "text", (c) =>
            c.notNull().references("assistant_conversations.id").onDelete("cascade"),
          )
          .addColumn("request_id", "text")
          .addColumn("message_text", "text", (c) => c.notNull())
          .addColumn("reading", "text", (c) => c.notNull())
          .addColumn("suggested", "text")
          .addColumn("reason", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("resolved_at", "bigint")
          .addColumn("resolved_by", "text")
          .execute();
        await db.schema
          .createIndex("assistant_escalations_open")
          .on("assistant_escalations")
          .columns(["organisation_id", "status", "created_at"])
          .execute();
      },
    },
    "0024-mailbox-connections": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("mailbox_connections")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.notNull().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("label", "text", (c) => c.notNull())
          .addColumn("address", "text", (c) => c.notNull())
          .addColumn("secret", "text", (c) => c.notNull())
          .addColumn("handled_folder", "text")
          .addColumn("uidvalidity", "bigint")
          .addColumn("last_uid", "bigint")
          .addColumn("cursor", "text")
          .addColumn("last_polled_at", "bigint")
          .addColumn("last_error", "text")
          .addColumn("failure_count", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("next_poll_at", "bigint")
          .addColumn("claimed_until", "bigint")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("mailbox_connections_organisation")
          .on("mailbox_connections")
          .column("organisation_id")
          .execute();
      },
    },
    "0025-candidate-hours": {
      async up(db: AnyDb) {
        await db.schema
          .alterTable("interview_requests")
          .addColumn("candidate_hours", "text")
          .execute();
      },
    },
    "0030-retention": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("retention_settings")
          .addColumn("organisation_id", "text", (c) =>
            c.primaryKey().references("organisations.id").onDelete("cascade"),
          )
          .addColumn("closed_requests_months", "integer", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addColumn("updated_by", "text")
          .execute();
        await serial(db.schema.createTable("retention_runs"), "id")
          .addColumn("run_id", "text", (c) => c.notNull())
          .addColumn("category", "text", (c) => c.notNull())
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("ran_at", "bigint", (c) => c.notNull())
          .addColumn("removed", "integer", (c) => c.notNull())
          .addColumn("detail", "text", (c) => c.notNull())
          .addColumn("error", "text")
          .execute();
        await db.schema
          .createIndex("retention_runs_ran_at")
          .on("retention_runs")
          .columns(["ran_at", "run_id"])
          .execute();
        // The daily purge of every category replaces the mail-only one.
        await db.deleteFrom("scheduled_jobs").where("key", "=", "mail-retention").execute();
      },
    },
    "0026-consent": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("consent_records")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("visitor_id", "text", (c) => c.notNull())
          .addColumn("user_id", "text")
          .addColumn("notice_version", "integer", (c) => c.notNull())
          .addColumn("analytics", "integer", (c) => c.notNull())
          .addColumn("marketing", "integer", (c) => c.notNull())
          .addColumn("method", "text", (c) => c.notNull())
          .addColumn("recorded_at", "bigint", (c) => c.notNull())
          .addColumn("ip_prefix", "text")
          .addColumn("replaced_at", "bigint")
          .execute();
        await db.schema
          .createIndex("consent_records_visitor")
          .on("consent_records")
          .columns(["visitor_id", "recorded_at"])
          .execute();
        await db.schema
          .createIndex("consent_records_user")
          .on("consent_records")
          .columns(["user_id", "recorded_at"])
          .execute();
        await serial(db.schema.createTable("page_views"), "id")
          .addColumn("visited_at", "bigint", (c) => c.notNull())
          .addColumn("path", "text", (c) => c.notNull())
          .addColumn("browser", "text", (c) => c.notNull())
          .addColumn("os", "text", (c) => c.notNull())
          .addColumn("device", "text", (c) => c.notNull())
          .addColumn("referrer_host", "text")
          .addColumn("ip_prefix", "text")
          .addColumn("visitor_id", "text", (c) => c.notNull())
          .addColumn("user_id", "text")
          .addColumn("organisation_id", "text")
          .execute();
        await db.schema
          .createIndex("page_views_scope")
          .on("page_views")
          .columns(["organisation_id", "visited_at"])
          .execute();
        await db.schema
          .createIndex("page_views_visitor")
          .on("page_views")
          .column("visitor_id")
          .execute();
      },
    },
    "0029-testimonials": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("testimonials")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("person_name", "text", (c) => c.notNull())
          .addColumn("person_email", "text", (c) => c.notNull())
          .addColumn("requested_by", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("version", "integer", (c) => c.notNull().defaultTo(0))
          .addColumn("consented_version", "integer")
          .addColumn("quote", "text")
          .addColumn("display_name", "text")
          .addColumn("role", "text")
          .addColumn("company", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .addColumn("ended_at", "bigint")
          .execute();
        await db.schema
          .createIndex("testimonials_organisation")
          .on("testimonials")
          .columns(["organisation_id", "created_at"])
          .execute();
        await db.schema
          .createIndex("testimonials_status")
          .on("testimonials")
          .columns(["status", "updated_at"])
          .execute();
        await serial(db.schema.createTable("testimonial_steps"), "id")
          .addColumn("testimonial_id", "text", (c) =>
            c.notNull().references("testimonials.id").onDelete("cascade"),
          )
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("kind", "text", (c) => c.notNull())
          .addColumn("actor", "text", (c) => c.notNull())
          .addColumn("actor_user_id", "text")
          .addColumn("version", "integer")
          .addColumn("at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("testimonial_steps_testimonial")
          .on("testimonial_steps")
          .columns(["testimonial_id", "id"])
          .execute();
        await db.schema
          .createTable("testimonial_links")
          .addColumn("token_hash", "text", (c) => c.primaryKey())
          .addColumn("testimonial_id", "text", (c) =>
            c.notNull().references("testimonials.id").onDelete("cascade"),
          )
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
      },
    },
    "0028-surveys": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("survey_settings")
          .addColumn("organisation_id", "text", (c) => c.primaryKey())
          .addColumn("candidate_surveys", "integer", (c) => c.notNull())
          .addColumn("delay_hours", "integer", (c) => c.notNull())
          .addColumn("interviewer_reminders", "integer", (c) => c.notNull())
          .addColumn("updated_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("survey_invitations")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("booking_id", "text", (c) => c.notNull().unique())
          .addColumn("request_id", "text", (c) => c.notNull())
          .addColumn("job_id", "text", (c) => c.notNull())
          .addColumn("candidate_id", "text", (c) => c.notNull())
          .addColumn("ended_at", "bigint", (c) => c.notNull())
          .addColumn("send_at", "bigint", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("skipped_reason", "text")
          .addColumn("token_hash", "text", (c) => c.unique())
          .addColumn("expires_at", "bigint")
          .addColumn("sent_at", "bigint")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("survey_invitations_due")
          .on("survey_invitations")
          .columns(["status", "send_at"])
          .execute();
        await db.schema
          .createIndex("survey_invitations_organisation")
          .on("survey_invitations")
          .columns(["organisation_id", "ended_at"])
          .execute();
        await serial(db.schema.createTable("survey_interviewers"), "id")
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("invitation_id", "text", (c) => c.notNull())
          .addColumn("user_id", "text", (c) => c.notNull())
          .addColumn("reminded_at", "bigint")
          .addUniqueConstraint("survey_interviewers_once", ["invitation_id", "user_id"])
          .execute();
        await db.schema
          .createTable("survey_responses")
          .addColumn("invitation_id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("nps", "integer", (c) => c.notNull())
          .addColumn("scheduling", "integer")
          .addColumn("preparation", "integer")
          .addColumn("clarity", "integer")
          .addColumn("comment", "text")
          .addColumn("answered_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createTable("survey_opt_outs")
          .addColumn("organisation_id", "text", (c) => c.notNull())
          .addColumn("candidate_id", "text", (c) => c.notNull())
          .addColumn("opted_out_at", "bigint", (c) => c.notNull())
          .addPrimaryKeyConstraint("survey_opt_outs_pk", ["organisation_id", "candidate_id"])
          .execute();
      },
    },
    "0027-marketing": {
      async up(db: AnyDb) {
        await db.schema
          .createTable("marketing_lists")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("description", "text", (c) => c.notNull())
          .addColumn("created_by", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("marketing_lists_organisation")
          .on("marketing_lists")
          .column("organisation_id")
          .execute();
        await db.schema
          .createTable("marketing_subscribers")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("list_id", "text", (c) =>
            c.notNull().references("marketing_lists.id").onDelete("cascade"),
          )
          .addColumn("email", "text", (c) => c.notNull())
          .addColumn("email_hash", "text", (c) => c.notNull())
          .addColumn("name", "text", (c) => c.notNull())
          .addColumn("consent_method", "text", (c) => c.notNull())
          .addColumn("consent_source", "text", (c) => c.notNull())
          .addColumn("consent_at", "bigint")
          .addColumn("confirmed_at", "bigint")
          .addColumn("added_by", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addUniqueConstraint("marketing_subscribers_list_email", ["list_id", "email_hash"])
          .execute();
        await db.schema
          .createIndex("marketing_subscribers_hash")
          .on("marketing_subscribers")
          .column("email_hash")
          .execute();
        await serial(db.schema.createTable("marketing_suppressions"), "id")
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("email_hash", "text", (c) => c.notNull())
          .addColumn("method", "text", (c) => c.notNull())
          .addColumn("list_id", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("marketing_suppressions_hash")
          .on("marketing_suppressions")
          .columns(["email_hash", "organisation_id"])
          .execute();
        await db.schema
          .createTable("marketing_messages")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("list_id", "text", (c) =>
            c.notNull().references("marketing_lists.id").onDelete("cascade"),
          )
          .addColumn("subject", "text", (c) => c.notNull())
          .addColumn("text_body", "text", (c) => c.notNull())
          .addColumn("html_body", "text")
          .addColumn("created_by", "text")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .addColumn("finished_at", "bigint")
          .execute();
        await db.schema
          .createTable("marketing_deliveries")
          .addColumn("id", "text", (c) => c.primaryKey())
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("message_id", "text", (c) =>
            c.notNull().references("marketing_messages.id").onDelete("cascade"),
          )
          .addColumn("subscriber_id", "text", (c) => c.notNull())
          .addColumn("status", "text", (c) => c.notNull())
          .addColumn("reason", "text")
          .addColumn("queued_at", "bigint")
          .addColumn("created_at", "bigint", (c) => c.notNull())
          .execute();
        await db.schema
          .createIndex("marketing_deliveries_message")
          .on("marketing_deliveries")
          .columns(["message_id", "status"])
          .execute();
        await serial(db.schema.createTable("marketing_opens"), "id")
          .addColumn("organisation_id", "text", (c) =>
            c.references("organisations.id").onDelete("cascade"),
          )
          .addColumn("message_id", "text", (c) => c.notNull())
          .addColumn("delivery_id", "text", (c) => c.notNull().unique())
          .addColumn("opened_hour", "bigint", (c) => c.notNull())
          .execute();
      },
    },
  };
}

class InlineProvider implements MigrationProvider {
  constructor(private readonly dialect: Dialect) {}
  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.dialect);
  }
}

export interface MigrationReport {
  applied: string[];
}

/**
 * Applies every pending migration. Safe to run from several processes at once: Kysely takes a
 * lock (an advisory lock on PostgreSQL) around the run.
 */
export async function migrateToLatest(db: AnyDb, dialect: Dialect): Promise<MigrationReport> {
  const migrator = new Migrator({
    db,
    provider: new InlineProvider(dialect),
    // Modules add migrations side by side; each touches only its own tables, so one whose name
    // sorts before an applied one is still applied rather than refused.
    allowUnorderedMigrations: true,
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === "Error");
    throw new Error(
      `migration ${failed?.migrationName ?? "(unknown)"} failed: ${(error as Error).message ?? error}`,
    );
  }
  return {
    applied: (results ?? []).filter((r) => r.status === "Success").map((r) => r.migrationName),
  };
}

export { sql };

/**
 * The migrations not yet applied to the database (empty when it is up to date); for `/ready`.
 * @example await pendingMigrations(store.db, store.dialect) // []
 */
export async function pendingMigrations(db: AnyDb, dialect: Dialect): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new InlineProvider(dialect) });
  const all = await migrator.getMigrations();
  return all.filter((m) => m.executedAt === undefined).map((m) => m.name);
}
