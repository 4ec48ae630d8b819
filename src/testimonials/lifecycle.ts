/**
 * A testimonial's lifecycle, pure: a state and a step give the next state or the reason the
 * step is refused. The commands (service.ts) apply it inside their transaction and record each
 * step; the pages draw their buttons from `allowedSteps`.
 *
 *   requested ──write──▶ drafted ──consent(v)──▶ consented ──publish(v)──▶ published
 *       any text change (the person's write, a member's edit) ──▶ drafted: fresh consent needed
 *   requested | drafted | consented | published ──decline──▶ declined
 *   any ──remove──▶ removed (the person's one click; nothing after it changes anything)
 *
 * Invariants (test/testimonials/lifecycle.property.test.ts): a testimonial is published only
 * when the person consented to the exact current version and a member published that version
 * after the consent; removal always wins; a decline is final.
 *
 * A member's approval is required: consent is necessary, not sufficient. The organisation
 * decides what appears in its name, the person decides whether anything does.
 */

export type TestimonialStatus =
  | "requested"
  | "drafted"
  | "consented"
  | "published"
  | "declined"
  | "removed";

export interface TestimonialState {
  status: TestimonialStatus;
  /** The current text's version: 0 before the person writes; +1 on every change. */
  version: number;
  /** The version the person consented to; stale once the text changed. */
  consentedVersion: number | null;
}

export type TestimonialStep =
  /** The person opened their link (recorded; changes nothing). */
  | { kind: "view" }
  /** The person saved a text: a new version, not yet consented to. */
  | { kind: "write" }
  /** A member changed the text: a new version the person must consent to afresh. */
  | { kind: "edit" }
  /** The person consented to publish version `version`, the one they were shown. */
  | { kind: "consent"; version: number }
  /** A member published version `version`, the one they were shown. */
  | { kind: "publish"; version: number }
  /** A member decided not to publish (or to take it down). */
  | { kind: "decline" }
  /** The person removed it. */
  | { kind: "remove" };

export type StepKind = TestimonialStep["kind"];

export type Transition =
  | { ok: true; state: TestimonialState; changed: boolean }
  | { ok: false; reason: string };

export const REQUESTED: TestimonialState = {
  status: "requested",
  version: 0,
  consentedVersion: null,
};

/** Whether the state is published: only ever with consent to the exact current version. */
export function isPublished(state: TestimonialState): boolean {
  return state.status === "published" && state.consentedVersion === state.version;
}

const refuse = (reason: string): Transition => ({ ok: false, reason });
const to = (state: TestimonialState): Transition => ({ ok: true, state, changed: true });
const same = (state: TestimonialState): Transition => ({ ok: true, state, changed: false });

const LIVE: readonly TestimonialStatus[] = ["requested", "drafted", "consented", "published"];

/**
 * The state after `step`, or why it is refused.
 * @example next(REQUESTED, { kind: "write" }) // { ok: true, state: { status: "drafted", version: 1, … } }
 */
export function next(state: TestimonialState, step: TestimonialStep): Transition {
  if (step.kind === "view") return same(state);
  if (state.status === "removed") {
    return step.kind === "remove" ? same(state) : refuse("This testimonial was removed.");
  }
  switch (step.kind) {
    case "remove":
      return to({ ...state, status: "removed" });
    case "decline":
      return LIVE.includes(state.status)
        ? to({ ...state, status: "declined" })
        : refuse("This testimonial was already declined.");
    case "write":
      if (state.status === "declined") return refuse("This testimonial was declined.");
      return to({ ...state, status: "drafted", version: state.version + 1 });
    case "edit":
      if (state.status === "declined") return refuse("This testimonial was declined.");
      if (state.version === 0) return refuse("There is no text to edit yet.");
      return to({ ...state, status: "drafted", version: state.version + 1 });
    case "consent":
      if (state.status === "declined") return refuse("This testimonial was declined.");
      if (state.version === 0) return refuse("Write your testimonial first.");
      if (step.version !== state.version) {
        return refuse("The text changed since you read it: read it again before you agree.");
      }
      if (state.consentedVersion === state.version) return same(state);
      return to({ ...state, status: "consented", consentedVersion: step.version });
    case "publish":
      if (state.status === "declined") return refuse("This testimonial was declined.");
      if (step.version !== state.version) {
        return refuse("The text changed since you read it: read it again.");
      }
      if (state.consentedVersion !== state.version) {
        return refuse("The person has not agreed to publish this text.");
      }
      if (state.status === "published") return same(state);
      return to({ ...state, status: "published" });
  }
}

/** The steps a party may take now (what the pages offer as buttons). */
export function allowedSteps(state: TestimonialState, by: "person" | "member"): StepKind[] {
  const steps: TestimonialStep[] =
    by === "person"
      ? [{ kind: "write" }, { kind: "consent", version: state.version }, { kind: "remove" }]
      : [{ kind: "edit" }, { kind: "publish", version: state.version }, { kind: "decline" }];
  return steps
    .filter((step) => {
      const result = next(state, step);
      return result.ok && result.changed;
    })
    .map((step) => step.kind);
}
