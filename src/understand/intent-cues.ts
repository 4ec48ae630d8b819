/**
 * Step 6 (cues): phrases that say what the sender wants apart from times, in folded text
 * (lower case, no accents). Each cue list names the intent it signals.
 */
import type { PrivacyRequest } from "./types.js";

export type Cue = { pattern: RegExp };

export const AUTO_REPLY_SUBJECT =
  /^(auto(matic)? ?(reply|response|antwort)?:|automatic reply|out of (the )?office|abwesenheitsnotiz|respuesta automatica|reponse automatique|resposta automatica|undeliverable|delivery status|mail delivery)/;

export const AUTO_REPLY =
  /\b(out of (the )?office|(i am|i'?m) currently away|away (from the office|until|till)|annual leave|parental leave|maternity leave|on leave until|automated (response|reply|message)|automatic reply|auto-?reply|delivery has failed|could ?n'?t be (found|delivered)|undeliverable|mailbox (is )?not monitored|not monitored|limited access to (e-?mail|my email)|limited connectivity|will (respond|reply|get back to you) (when|as soon as|on my return)|back in the office|absente? du bureau|nicht im buro|abwesend|ausente|fuera de la oficina|de ferias|de vacaciones|en vacances|im urlaub|no escritorio|i will be back on|no access to (my )?e-?mail|for (urgent matters|anything urgent)|if your message is urgent|i'?ll be back on|currently travell?ing|intermittent (access|connectivity)|(expect|there may be) (a )?(delayed|slow) (response|reply)|delays? in (my )?(response|replying)|(bin|ist) (derzeit |aktuell )?im urlaub|wieder erreichbar|de ferias|acesso limitado|estou ausente|je suis absente?|respondere a su mensaje|a mi regreso|des mon retour|a mon retour)\b/;

export const OPT_OUT_SUBJECT = /\b(opt[ -]?out|unsubscribe|remove me)\b/;

export const OPT_OUT =
  /\b((mailing|distribution|email|e-mail|contact|marketing|newsletter|sending)s? lists?|liste de (diffusion|contacts?|mails?|distribution)|lista de (correo|correos|emails?|e-mails|distribucion|envio|contatos?|difusion|mailing)|verteiler|^stop[.!]*$|^unsub[.!]*$|(rather not|don'?t want to|do not want to) (get|receive) (these|your|any|the)( [\w']+){0,2} (e-?mails|messages|mails|alerts|newsletters|updates)|(don'?t|do not|never) (email|e-mail|message|contact|write to) me (about|with|regarding)|(cease|stop|end) all (communication|contact|correspondence)s?|(don'?t|do not|never) (contact|email|e-mail|message|write to|reach out to) me( again| anymore| any ?more|$)|no longer (want|wish) to (hear from|receive|be contacted)|(don'?t|do not) want to hear from (you|your)|^(please )?remove me( please)?[.!]*$|dejen de (enviar|mandar|escribir)|deixem de (enviar|mandar)|parem de|no (quiero|deseo) recibir|ne (souhaite|veux) plus recevoir|abbestell\w*|keine weiteren (e-?mails|mails|nachrichten)|unsubscrib\w*( me)?( from (these|this|your|the|all)( \w+){0,3})?|opt (me )?out|opt-out|remove me from (?!(the |your )?(consideration|process|running|hiring|shortlist|pipeline|candidates?|interview))|take me (off|of)( (this|your|the|it|that|of))?|(stop|quit|cease)( \w+){0,2} (sending|emailing|e-mailing|mailing|messaging|contacting|spamming|writing to)|stop (these|the|your) (e-?mails|messages|mails|alerts|newsletters)|spam(ming)?|(don'?t|do not) want to (receive|get)( \w+){0,3} (e-?mails|messages|mails|alerts|newsletters|anymore|any ?more)|(no|any) ?more (\w+ ){0,2}(e-?mails|messages|mails|alerts|newsletters)|not interested in (these|your|the|any) (\w+ )?(e-?mails|messages|mails|alerts|newsletters)|no me (envien|manden|escriban|contacten) mas|ne (plus|pas) (m'envoyer|me contacter|me (re)?ecrire)|desabonn\w*|keine (\w+ )?(e-?mails|mails|nachrichten|newsletter) mehr|nicht mehr (kontaktieren|anschreiben|schreiben)|nao me (enviem|mandem) mais|don'?t (want|send) (any ?more|me)|no more (of these )?(emails|messages|job alerts)|any more of these|desinscri|darme de baja|dar de baja|baja de (estos|esta)|tragen sie mich aus|austragen|abmelden|aus dem verteiler|parem de (me )?enviar|descadastr|cancelar (a )?inscri|nao quero (mais )?receber)/;

/** Privacy rights, most specific first: restriction and objection mention deletion and use. */
export const PRIVACY: { kind: PrivacyRequest; pattern: RegExp }[] = [
  {
    kind: "objection",
    pattern:
      /\b(i object|object(ing)? to|(don'?t|do not) (sell|share)( or (sell|share))? my|(don'?t|do not) want my (data|information|details|cv) (to be )?(used|shared|sold)|(withdraw|revoke|retract)\w* (my |all )?consent|objection|oppose|opposition|me oponho|oponho|me opongo|je m'oppose|widerspreche|widerspruch|(don'?t|do not) (agree|consent) to (my|the|you|your|any)|profil(e|ing) me|profiling|elaborar perfiles|score me|scoring me|automated decision|legitimate interests?|fins de analise|para fins de)/,
  },
  {
    kind: "restriction",
    pattern:
      /\b(restrict|restriction|(stop|pause|suspend|halt|freeze|cease) (all |any )?(the )?(processing|using|use)|(put a )?hold on (using|processing)|don'?t (delete|erase)|(don'?t|do not) use my|keep (it|them|my data),? (but |just )?don'?t use|limit(ing)? (how|the way) you (use|process)|limit(ing)? (the )?(use|processing)|limit what you (do|can do) with|limiter le traitement|limitation (du|de) (traitement|l'utilisation)|limitar (el |la |o )?(tratamiento|uso|tratamento)|limitacao do tratamento|limitacion (del|de) (tratamiento|uso)|einschranken|einschrankung|schranken sie|beschranken)/,
  },
  {
    kind: "portability",
    pattern:
      /\b(machine[- ]?readable|maschinenlesbar\w*|lisible par (une )?machine|portable|portability|export\w*|transfer\w* ([\w']+ ){0,3}to|transmit\w* ([\w']+ ){0,3}to|import (it )?into|structured (and|,|format|file|data)|(formato|format) (estructurado|estruturado|structure|lisible)|portabilit|datenubertragbarkeit|csv|json|xml|downloadable|(upload|take|move|use) (it|them|my data) (elsewhere|to another|with another|somewhere else)|upload elsewhere|another (platform|provider|service|company|recruiter))/,
  },
  {
    kind: "erasure",
    pattern:
      /\b(delet\w*|delte\w*|dlete\w*|(data|info\w*|details|account|profile|cv|records?|everything)( [\w']+){0,3} (removed|deleted|erased|wiped|purged|destroyed)|erase|erasure|remove (all |any )?(of )?(my|me|of my)|(remove|wipe|purge|delete|destroy|scrub) (everything|all|any)|wipe|purge|get rid of|destroy|forget me|right to be forgotten|borr(ar|en)|elimin(ar|en|e|ad)\w*|suprim|efface|supprim|losch|excluam|exclua|apag(ar|uem|ue))/,
  },
  {
    kind: "rectification",
    pattern:
      /\b(correct (it|this|my|that)|correction|rectif|amend\w*|incorrect|inaccurate|outdated|(spelled|spelt|written) ([\w']+ ){0,2}(wrong|incorrectly)|(got|have|has) my ([\w']+ ){0,2}wrong|mal escrit\w*|nicht mehr aktuell|korrigier\w*|mettre a jour|(number|address|email|e-mail|name|surname|phone|numero|adresse|direccion|endereco|telefone|telefono|nom|apellido|nachname)( [\w']+){0,3} (has |have |a |ha |hat sich )?(changed|change|cambiado|geandert|mudou)|update (your|the|my) (records?|details|information|data|file|profile|system)|spelled wrong|(name|address|number|email|details?|date of birth) (is |are )?wrong|wrong (name|address|number|email|spelling)|fix (it|this|that|my)|should be \w+( [\w']+)?,? not |misspelt|misspelled|is wrong|out of date|update my|change (it|my \w+) to|berichtig|corrig|correg|actualic|atualiz)/,
  },
  {
    kind: "access",
    pattern:
      /\b(what (kind of |sort of |type of )?(personal )?(data|info\w*|details)|(see|view|know|access|check) ([\w']+ ){0,3}(data|details|info\w*|records) ([\w']+ ){0,4}(stored|hold|held|have|keep|kept)|copy of (everything|all|what)|(everything|all|what) (you'?ve|you have|you) (got|hold|have|keep|store)( [\w']+){0,2} (on me|about me|on file)|que (informacion|datos)|que dados|quais (informacoes|dados)|quelles (informations|donnees)|which (personal )?(data|information)|copy of (my|the) (personal )?(data|information)|access to my (data|information)|(data|information|info\w*|details|records) ([\w']+ ){0,4}(hold|holds|held|have|has|store|stores|stored|keep|keeps|kept|collected|process|processes|processed)|(records|data|information|info\w*|details|file) (about|on|regarding|relating to|concerning) me|subject access|what (do|does) (you|your company|ally) (know|have) (about|on) me|(see|view|access|get|have|obtain|request) (a copy of |access to )?(all )?(of )?my (personal )?(data|information|info|details|records|file)|quelles donnees|que datos|quais dados|welche daten|auskunft)/,
  },
];

/** Must hold for any privacy reading: it is about the sender's data. */
export const PRIVACY_TOPIC =
  /\b(data|information|info\w*|details|profile|records?|about me|on me|sobre mi|sobre mim|a mon sujet|uber mich|email|e-mail|address|adresse|direccion|endereco|phone|numero|informations|informacion|records|record|on file|everything you have|personal|gdpr|cv|surname|name|nachname\w*|apellido|nom de famille|sobrenome|phone number|email address|donnees|datos|dados|daten|profil|processing|consent|database|system|systems)\b/;

export const CANCEL =
  /\b(cancel|withdraw|withdrawing|no longer interested|no longer (wish|want) to (be considered|proceed|continue|pursue|move forward)|(don'?t|do not) (wish|want) to (proceed|continue|move forward)|not interested anymore|take me out of consideration|bow out|pull out|decided not to (move forward|proceed|continue)|accepted (another|an?) (offer|role|position|job)|(accept|accepting) an offer elsewhere|annuler|annulation|stornieren|retire ma candidature|retirer ma candidature|je retire|cancelar|anular|retirar (mi|minha)|zuruckziehen|absagen|desisto|desistir|(remove|take) me (out of|off|from) (the )?(consideration|process|running|shortlist|pipeline)|out of consideration|pass on (this|the) (one|role|position|opportunity|job)|(decided|going|chosen) to stay (in|at|with) my (current )?(role|job|position|company)|staying (in|at|with) my current|(found|got|landed|taken|accepted) (another|a new|a different|an?other) (job|role|position|offer)|no longer (looking|searching|on the market|available for (this|the) (role|position|job))|back(ing)? out( of)?|not (interested|pursuing) (in )?(this|the) (role|position|job|opportunity) any ?more)\b/;

export const RESCHEDULE =
  /\b((move|shift|push|bump|switch|rearrange|rebook|delay)\w* (it|the|our|my|this|that|\w+'s)|reschedul\w*|re-schedule|move (it|the|our|us|my|this|that|\w+'s)|moved|push (it|the|this|back)|shift (it|the)|change (the|our) (interview|time|appointment|call)|postpone|another time|a different time|a week later|same time|later date|instead|new (slot|time|date)|(find|pick|choose|arrange|book) (a |another |some )?(new|other|different) (slot|time|date|day)|conflict with (the|our|my) (time|slot|interview|booking)|verschieben|verlegen|reprogramar|cambiar la|mover|mudar|changer|remarcar|reagendar|deplacer|decaler|reporter)\b/;

export const DECLINE =
  /\b((those|these|the|they|all) (times|slots|options|dates)?( \w+){0,2} (are )?(all )?(bad|no good|impossible|not (good|possible))|(busy|booked|tied up|unavailable|not available|not free|can'?t|cannot|unable)( \w+){0,3} (at|for|on|in) (all|any|each|every) (of )?(those|these|them|the (proposed|suggested|offered))|(none|neither) of (those|these|the|them)( \w+)?|none|neither|not available (at|on) (any|those|these)|(can'?t|cannot) (make|do) (those|these|either|any|them|it)|(won'?t|will not|wo n'?t) be able to (make|do|manage|attend) (any|either|all|those|these|them)|(unable|not able) to (make|do|manage|attend) (any|either|all|those|these)|(alle|beide|keiner|keine)( \w+){0,3} (passen|passt|gehen|geht) (\w+ ){0,2}nicht|(passen|gehen) (\w+ ){0,3}alle nicht|(klappt|klappen|passt|passen|geht|gehen) (\w+ ){0,2}(alles|alle|beide|keiner|keines|keine) (\w+ ){0,2}nicht|(klappt|klappen) (\w+ ){0,2}(leider )?nicht|(nichts|keiner|keines) (davon )?(klappt|passt|geht)|(those|these|they|the) (times? |slots? |options? |dates? )?(don'?t|do not|won'?t) (work|suit)|not (available|free) (on|at) (those|these)|(both|all) (of )?(the |those |these )?(slots|times|options|days)? ?(are )?(clash|conflict)\w*|either of|ninguno|ninguna|ningun|aucun|aucune|keiner|keine der|keinen|keinem|keines|nenhum|nenhuma|not able to make (any|those|these))\b/;

export const INFO_QUESTION =
  /\b(remote|in person|in-person|on-?site|onsite|zoom|teams|google meet|video|phone|call link|link|address|parking|park|prepare|bring|salary|pay|compensation|who (will|is|are)|hiring manager|manager|panel|how long|duration|dress code|dress|wear|description|job description|role|position|english|german|french|spanish|technical|behaviou?ral|format|interviewers?|local time|your time|or yours|presencial|remoto|online|en remoto|visio|vor ort|per video|entretien se fait|tiempo|dauer|salaire|salario|gehalt|where|located|location|office|building)\b/;

export const QUESTION_START =
  /^(is|are|will|who|what|where|why|how|do|does|did|should|can i|could you|may i|would you|est-ce|qui|quel|quelle|ou|comment|es|la|el|findet|wer|wie|wo|wird|ist|a|o|qual|quem|onde|como|sera|cual|donde|quien|hay|gibt)\b/;

/** Any offered option will do. */
export const ANY_OPTION =
  /\b((any|either) (one |of )?(them|those|these|the (times|slots|options|dates))|(any|either) (one|option|slot|time) (is|would be|works?)|(any|all|both|either) (of them )?(is|are|would be|works?|suits?) (fine|good|ok|okay)|whatever('?s| is) (easiest|easier|best)|cualquiera|n'importe lequel|egal welche?r?|qualquer um)\b/;

export const AFFIRMATIVE =
  /^(yes|yep|yeah|yup|sure|ok|okay|k|sounds good|sounds great|perfect|great|works for me|that works|works|fine|fine by me|confirmed|confirm|agreed|deal|oui|d'accord|parfait|si|vale|perfecto|claro|ja|gerne|passt|sim|perfeito|combinado|beleza)\b/;

export const CONFIRMATION =
  /\b(as scheduled|confirm(ing|ed)?|still (good|on|fine|works)|see you (then|there|on)|looking forward|i can attend|i'?ll be there|will be there)\b/;

export const THANKS_ONLY = /^(thanks|thank you|thx|cheers|ta|merci|gracias|danke|obrigad[oa])\b/;
