/**
 * The testimonial emails, as text: the request, the confirmation of consent (with the one-click
 * removal link), the note of a member's change (fresh consent needed), publication and removal.
 * Pure: the links are made by the caller, in the transaction that sends the mail.
 */
import type { Content } from "./schemas.js";

export type TestimonialMailKind =
  | "testimonial-request"
  | "testimonial-consented"
  | "testimonial-changed"
  | "testimonial-published"
  | "testimonial-removed";

export interface TestimonialMail {
  kind: TestimonialMailKind;
  subject: string;
  text: string;
}

/** The days an unanswered request is kept (retention.ts). */
export const UNANSWERED_DAYS = 60;

/** The quote and attribution exactly as the home page shows them. */
export function asShown(content: Content): string {
  const by = [content.displayName, content.role, content.company].filter(Boolean).join(", ");
  return `"${content.quote}"\n— ${by}`;
}

export function requestMail(input: {
  personName: string;
  memberName: string;
  organisation: string;
  publicUrl: string;
  link: string;
}): TestimonialMail {
  return {
    kind: "testimonial-request",
    subject: `Would you write a few words about ${input.organisation}?`,
    text: `Hello ${input.personName},

${input.memberName} at ${input.organisation} asks whether you would write a short testimonial about your experience, to be shown on the home page of ${input.publicUrl}.

Nothing is published unless you agree. On the page below you write the text, choose the name shown under it (and, if you like, your role and company), see exactly what would be published, and tick a box to consent. You can remove it at any time with one click.

Write it here:
${input.link}

If you would rather not, ignore this email: the request and your address are deleted after ${UNANSWERED_DAYS} days.
`,
  };
}

export function consentedMail(input: {
  organisation: string;
  content: Content;
  version: number;
  link: string;
}): TestimonialMail {
  return {
    kind: "testimonial-consented",
    subject: "You agreed to publish your testimonial",
    text: `Thank you. You agreed to publish this text (version ${input.version}):

${asShown(input.content)}

${input.organisation} publishes it once they have read it; you will get an email when it is on the home page.

To remove it, at any time, with one click:
${input.link}/remove
`,
  };
}

export function changedMail(input: { organisation: string; link: string }): TestimonialMail {
  return {
    kind: "testimonial-changed",
    subject: `${input.organisation} suggests a change to your testimonial`,
    text: `${input.organisation} changed the text of your testimonial. It is not shown anywhere until you read the new text and agree to it.

Read it, change it, or agree to it here:
${input.link}

To remove it instead, with one click:
${input.link}/remove
`,
  };
}

export function publishedMail(input: {
  organisation: string;
  publicUrl: string;
  content: Content;
  link: string;
}): TestimonialMail {
  return {
    kind: "testimonial-published",
    subject: "Your testimonial is on the home page",
    text: `${input.organisation} published your testimonial on ${input.publicUrl}:

${asShown(input.content)}

To remove it, at any time, with one click:
${input.link}/remove
`,
  };
}

export function removedMail(input: { organisation: string }): TestimonialMail {
  return {
    kind: "testimonial-removed",
    subject: "Your testimonial was removed",
    text: `Your testimonial for ${input.organisation} was removed: it is no longer shown, and its text is deleted. There is nothing more to do.
`,
  };
}
