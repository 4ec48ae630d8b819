/** Step 1: only the sender's new words are read; quoted history and signatures are dropped. */
import { describe, expect, it } from "vitest";
import { plainText, stripQuoted } from "../../src/understand/strip.js";

describe("stripping quoted history and signatures", () => {
  it("cuts a Gmail quote at its 'On … wrote:' line", () => {
    const text =
      "Option 3 is best for me.\n\nOn Thu, Nov 26, 2026 at 8:00 AM Ally Scheduling <scheduling@acme.example> wrote:\n> 1. Tue Dec 1, 2:00 PM\n> 2. Wed Dec 2";
    expect(stripQuoted(text).body).toBe("Option 3 is best for me.");
  });

  it("cuts a Gmail attribution wrapped over two lines", () => {
    const text =
      "Friday works.\n\nOn Thu, Nov 26, 2026 at 8:00 AM Ally Scheduling <\nscheduling@acme.example> wrote:\n> 1. Tue";
    expect(stripQuoted(text).body).toBe("Friday works.");
  });

  it("cuts an Outlook '-----Original Message-----' block and a From:/Sent: header block", () => {
    expect(
      stripQuoted("1pm on Wed.\n\n-----Original Message-----\nFrom: Ally\nSent: Sunday").body,
    ).toBe("1pm on Wed.");
    expect(
      stripQuoted("Neither suits.\n\nFrom: Ally <a@b.example>\nSent: Monday, 2 PM\nTo: Oliver")
        .body,
    ).toBe("Neither suits.");
  });

  it("cuts forwarded messages and '>' lines", () => {
    expect(
      stripQuoted("I'm free Thursday 10-12.\n\n---------- Forwarded message ---------\nFrom: Ally")
        .body,
    ).toBe("I'm free Thursday 10-12.");
    expect(stripQuoted("Yes\n> Monday 9am\n> Tuesday 3pm").body).toBe("Yes");
  });

  it("drops 'Sent from my iPhone', sign-offs, names, phones and street addresses", () => {
    expect(stripQuoted("works for me\n\nSent from my iPhone").body).toBe("works for me");
    expect(
      stripQuoted(
        "Option 1 please.\n\nBest,\nMaria Lopez\n(617) 555-0142\n22 Elm St, Boston, MA 02115",
      ).body,
    ).toBe("Option 1 please.");
    expect(
      stripQuoted(
        "Thursday at 1?\n\n--\nJordan Miles | Office hours Mon-Fri 9-5 ET\n+1 212 555 0199",
      ).body,
    ).toBe("Thursday at 1?");
    expect(stripQuoted("Let's do Thursday 3:30.\n\nDana").body).toBe("Let's do Thursday 3:30.");
  });

  it("keeps the sender's own first line even when it looks like a signature or a header", () => {
    expect(stripQuoted("Sent from my iPhone").body).toBe("Sent from my iPhone");
    expect(stripQuoted("From: me. Tuesday works\n\nOn Mon Ally wrote:\n> x").body).toBe(
      "From: me. Tuesday works",
    );
  });

  it("turns HTML leftovers into text", () => {
    expect(plainText("<div>Friday&nbsp;works&nbsp;for&nbsp;me</div><div><br></div>").trim()).toBe(
      "Friday works for me",
    );
    expect(stripQuoted("Fifth one works for me.<br><br>Thanks,&nbsp;Alex<br>").body).toBe(
      "Fifth one works for me.",
    );
  });

  it("replaces control characters with spaces", () => {
    expect(plainText("Tues\u0000day\u0007 works")).toBe("Tues day  works");
  });
});
