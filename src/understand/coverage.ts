/**
 * How much of the sender's words the reader understood: every word is either read (a time,
 * an ordinal, a cue for an intent), a known filler word ("thanks", "the", "works"), or a name;
 * anything else is not covered, and an uncovered word lowers confidence (see confidence.ts).
 */
import type { Token } from "./normalise.js";

/** Words that carry no scheduling meaning of their own, in folded form. */
const FILLER = new Set(
  `a an the and or but so if to of on in at for with as is are was be been am i i'm im me my mine
  we us our you your yours it it's its this that these those there here then than too also just only really very
  hi hello hey dear sir madam team all everyone folks there thanks thank thx cheers please kindly regards best
  sorry apologies unfortunately afraid fortunately actually ah oh ok okay yes yeah yep yup sure great good
  fine perfect ideal ideally lovely nice awesome excellent cool brilliant wonderful happy glad pleased
  works work working worked suits suit suited suiting would could can will shall should might may do does did
  done doing let let's lets go going take i'll i'd we'd we'll it'd that's what's how about what instead possible
  free available availability open time times slot slots option options one ones choice day
  any anytime whenever both whole all
  see meet meeting chat call talk speak interview interviews looking forward then there see you
  me for be have has had having get got make made like prefer preferred preference better best easier easiest
  right now still again already ever yet also definitely certainly absolutely
  reply replying email emails message note hit send sent fast meant mean
  hope hoping well thanks! thank-you ty tysm np sounds sound think guess say said bit much many lot
  would've i've you've we've wonder wondering could've its okay fine
  el la los las un una de del en y o a al por para con que me mi mis se es lo le les muy bien gracias hola
  le la les un une des de du et ou a au aux en pour avec que je me mon ma mes est c'est ce cette bien merci bonjour
  der die das den dem des ein eine einen und oder zu am um im in mit fur ich mir mein meine ist es gut danke hallo
  bitte wie sehr gerne
  o a os as um uma de do da dos das e ou em na para com que eu me meu minha e esta bem obrigado obrigada ola
  's uhr h hrs o'clock oclock
  data need needs urgent example favor favour know decided personal anything them look whichever find candidate
  list tell processing being office contact received someone reaching mate tricky side calendar something came
  flight changed appointment family matter process application stay current recruiter follow candidacy mailing
  job alert alerts new roles role marketing under gdpr stored collected curious system systems everything want
  including cv notes information surname records record number old file provider recruiting platform checked
  accurate use details used model basis legitimate interests beforehand pick range building more portfolio
  matters within business currently check manager else once position consideration elsewhere offer
  esos estos horarios ser otra otro todos datos entrevista proceso oferta personales perfecto prefiero siento
  dias viene va vendria quiero he aceptado estoy solicito copia empresa correos favor
  convient suis parfait prends ces creneaux desole dans liste diffusion sur moi candidature j'ai accepte autre
  poste personnelles
  passt leider nehme ware jeweils alle mochte findet statt vielen dank ihre nachricht bin sie sich konnen wir
  auf meinen termin termine gesprach
  meus dados ao otima pode fico infelizmente desses esses funciona mim seria possivel sera gostaria candidatura
  aceitei outra proposta uso e-mails e-mail
  prefere prefiro lieber bevorzuge passe convem conviene genial super top bien tres perfeito otimo perfekt prima
  kann update account associated analytics up other getting quickly copy podriamos hacerlo mejor ginge auch emergency pursue pursuing fechas fecha dates date datum ne wunderbar vale claro encantado encantada ravi ravie gern geht serve irait mich fur pour`.split(
    /\s+/,
  ),
);

/** True when `token` needs no reading: filler, punctuation, a symbol, or a name. */
export function isNeutral(token: Token, allCaps: boolean, firstInClause: boolean): boolean {
  if (token.kind === "punct" || token.kind === "symbol") return true;
  if (token.kind !== "word") return false;
  if (FILLER.has(token.text)) return true;
  // A capitalised word inside a sentence is a name ("Thanks Ally", "Hi Sam").
  return !allCaps && !firstInClause && /^\p{Lu}\p{Ll}+$/u.test(token.raw);
}

const GLOBAL = new Map<RegExp, RegExp>();

function globalVersion(p: RegExp): RegExp {
  let g = GLOBAL.get(p);
  if (!g) {
    g = new RegExp(p.source, p.flags.includes("g") ? p.flags : `${p.flags}g`);
    GLOBAL.set(p, g);
  }
  return g;
}

/** Marks tokens that overlap a span of `folded` matched by one of `patterns`. */
export function markCues(
  tokens: readonly Token[],
  folded: string,
  patterns: readonly RegExp[],
  into: Set<Token>,
): void {
  for (const p of patterns) {
    const g = globalVersion(p);
    g.lastIndex = 0;
    let guard = 0;
    for (let m = g.exec(folded); m !== null && guard++ < 200; m = g.exec(folded)) {
      if (m[0].length === 0) {
        g.lastIndex++;
        continue;
      }
      const from = m.index;
      const to = from + m[0].length;
      for (const t of tokens) if (t.start < to && t.end > from) into.add(t);
    }
  }
}
