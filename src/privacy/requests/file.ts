/** Filing a verified request with each of its controllers, deadline computed and snapshotted. */
import { newId } from "../../ids.js";
import { dueAt, type Jurisdiction } from "../deadlines.js";
import type { PrivacyRequestDeps, Tx } from "./deps.js";
import { KIND_LABELS, type RequestKind } from "./schemas.js";

export interface FiledRequest {
  id: string;
  /** Null: the operator. */
  organisationId: string | null;
  controllerName: string;
  dueAt: number | null;
}

export interface RequestFacts {
  email: string;
  kind: string;
  details: string | null;
  jurisdiction: string;
  receivedAt: number;
  verifiedAt: number;
  userId: string | null;
}

/**
 * One request per controller: each organisation with candidate records for the email, and the
 * operator for an account holder (or when nobody holds anything, so the person is answered).
 * The person is told, by email, who the controller of each is.
 */
export async function fileRequests(
  deps: PrivacyRequestDeps,
  tx: Tx,
  facts: RequestFacts,
): Promise<FiledRequest[]> {
  const holders = await deps.holdersOf(tx, facts.email);
  const controllers: Array<{ id: string | null; name: string }> = [...holders.organisations];
  if (holders.accountHolder || controllers.length === 0 || facts.userId !== null) {
    controllers.push({ id: null, name: deps.operatorName });
  }
  const due = dueAt({
    jurisdiction: facts.jurisdiction as Jurisdiction,
    receivedAtMs: facts.receivedAt,
    verifiedAtMs: facts.verifiedAt,
    extended: false,
  });
  const filed: FiledRequest[] = [];
  for (const controller of controllers) {
    const id = newId("prq");
    await tx
      .insertInto("privacy_requests")
      .values({
        id,
        organisation_id: controller.id,
        controller: controller.id === null ? "operator" : "organisation",
        kind: facts.kind,
        email: facts.email,
        user_id: facts.userId,
        details: facts.details,
        jurisdiction: facts.jurisdiction,
        received_at: facts.receivedAt,
        verified_at: facts.verifiedAt,
        due_at: due,
        extended: 0,
        status: "open",
        completed_at: null,
        completed_by: null,
        policy_version: deps.policyVersion(),
      })
      .execute();
    filed.push({ id, organisationId: controller.id, controllerName: controller.name, dueAt: due });
  }
  const lines = filed.map((f) => `- ${f.controllerName}`).join("\n");
  await deps.sendMail(tx, {
    organisationId: null,
    kind: "privacy-request-received",
    to: facts.email,
    subject: "We received your privacy request",
    text: `Your request "${KIND_LABELS[facts.kind as RequestKind] ?? facts.kind}" was received.\n\nIt goes to the controller of your data, who answers it:\n${lines}\n\nA customer company is the controller of what it recorded about you as a candidate; Ally processes that data on its behalf.`,
  });
  return filed;
}
