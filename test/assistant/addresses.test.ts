/** Reading addresses out of To and Cc as kept by the inbound store (raw header values). */
import { describe, expect, it } from "vitest";
import { addressesIn, decodeEncodedWords } from "../../src/assistant/addresses.js";

describe("addresses in a header", () => {
  it("decodes a display name sent as RFC 2047 encoded words", () => {
    expect(addressesIn("=?UTF-8?B?Sm/Do28gU2lsdmE=?= <joao@example.org>, ana@example.org")).toEqual(
      [
        { name: "João Silva", address: "joao@example.org" },
        { name: "", address: "ana@example.org" },
      ],
    );
  });

  it("joins adjacent encoded words and reads quoted-printable ones in their charset", () => {
    expect(decodeEncodedWords("=?UTF-8?Q?Jo=C3=A3o?= =?UTF-8?Q?_Silva?=")).toBe("João Silva");
    expect(decodeEncodedWords("=?ISO-8859-1?Q?Ren=E9e?= Dubois")).toBe("Renée Dubois");
  });

  it("leaves a word in an unknown charset as it was", () => {
    expect(decodeEncodedWords("=?x-unknown?B?YWJj?=")).toBe("=?x-unknown?B?YWJj?=");
  });
});
