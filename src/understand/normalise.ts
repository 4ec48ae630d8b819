/**
 * Tokens of the sender's words: lower-cased, accents folded ("mañana" → "manana"), common typos
 * mended, each with its character span in the text, so that coverage can be measured.
 */

export type TokenKind = "word" | "number" | "clock" | "slash-date" | "punct" | "symbol";

export type Token = {
  /** Folded text: lower case, no accents, typos mended. */
  text: string;
  /** The text as written. */
  raw: string;
  kind: TokenKind;
  start: number;
  end: number;
};

/** Misspellings seen in replies, mapped to the word meant. */
const TYPOS: Record<string, string> = {
  thrusday: "thursday",
  thursdy: "thursday",
  thurday: "thursday",
  wensday: "wednesday",
  wendsday: "wednesday",
  wednsday: "wednesday",
  wedensday: "wednesday",
  tuseday: "tuesday",
  teusday: "tuesday",
  firday: "friday",
  fridya: "friday",
  mondy: "monday",
  secnd: "second",
  seccond: "second",
  frist: "first",
  thrid: "third",
  teh: "the",
  wrks: "works",
  wrk: "work",
  aftr: "after",
  afer: "after",
  befor: "before",
  cld: "could",
  pls: "please",
  plz: "please",
  thx: "thanks",
  tmrw: "tomorrow",
  tmr: "tomorrow",
  tomorow: "tomorrow",
  tommorow: "tomorrow",
  tommorrow: "tomorrow",
  mornin: "morning",
  moring: "morning",
  afternon: "afternoon",
  avaliable: "available",
  availble: "available",
  intervew: "interview",
  interveiw: "interview",
  u: "you",
  ur: "your",
  r: "are",
  wk: "week",
  nxt: "next",
};

/** Folds case and accents: "Après-Midi" → "apres-midi", "Grüße" → "gruse"? No: ß → ss. */
export function fold(text: string): string {
  return text
    .toLowerCase()
    .replace(/ß/g, "ss")
    .normalize("NFD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[’‘`´]/g, "'")
    .replace(/[–—−]/g, "-");
}

const TOKEN =
  /(\d{1,2}:\d{2}(?:\s?(?:a\.?m\.?|p\.?m\.?)(?![a-z]))?)|(\d{1,2}h\d{0,2}(?![a-z]))|(\d{1,2}\s?(?:a\.?m\.?|p\.?m\.?)(?![a-z]))|(\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?\.?(?!\d))|(\d+(?:st|nd|rd|th|er|e|eme|o|a|º|ª)?(?![a-z\d]))|([\p{L}][\p{L}\p{M}]*(?:['-][\p{L}][\p{L}\p{M}]*)*)|([^\s\p{L}\d])/gu;

/** Folded tokens of `text`, at most `limit` of them. */
export function tokenize(text: string, limit = 5000): Token[] {
  const folded = fold(text);
  // Folding may change lengths (ß → ss, NFD); spans refer to the folded text in that case.
  const source = folded.length === text.length ? text : folded;
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  for (let m = TOKEN.exec(folded); m !== null && tokens.length < limit; m = TOKEN.exec(folded)) {
    const value = m[0];
    const start = m.index;
    const end = start + value.length;
    let kind: TokenKind;
    if (m[1] || m[2] || m[3]) kind = "clock";
    else if (m[4]) kind = "slash-date";
    else if (m[5]) kind = "number";
    else if (m[6]) kind = "word";
    else kind = /[\p{P}]/u.test(value) ? "punct" : "symbol";
    if (kind === "word") {
      // "Thursday's" → "thursday" + "'s"; "Wed/Thu" splits on the slash already.
      const possessive = /^(.+)'s$/.exec(value);
      if (possessive) {
        const word = possessive[1] as string;
        tokens.push(token(TYPOS[word] ?? word, source, start, start + word.length, "word"));
        tokens.push(token("'s", source, start + word.length, end, "word"));
        continue;
      }
    }
    const text = kind === "word" ? (TYPOS[value] ?? value) : value.replace(/\s+/g, "");
    tokens.push(token(text, source, start, end, kind));
  }
  return tokens;
}

function token(text: string, source: string, start: number, end: number, kind: TokenKind): Token {
  return { text, raw: source.slice(start, end), kind, start, end };
}
