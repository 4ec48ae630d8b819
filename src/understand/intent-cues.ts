/**
 * Step 6 (cues): phrases that say what the sender wants apart from times, in folded text
 * (lower case, no accents). Each cue list names the intent it signals.
 */
import type { PrivacyRequest } from "./types.js";

export type Cue = { pattern: RegExp };

export const AUTO_REPLY_SUBJECT =
  /^(auto(matic)? ?(reply|response|antwort)?:|automatic reply|out of (the )?office|abwesenheitsnotiz|respuesta automatica|reponse automatique|resposta automatica|undeliverable|delivery status|mail delivery)/;

export const AUTO_REPLY =
  /\b(out of (the )?office|(i am|i'?m) currently away|away (from the office|until|till)|annual leave|parental leave|maternity leave|on leave until|automated (response|reply|message)|automatic reply|auto-?reply|delivery has failed|could ?n'?t be (found|delivered)|undeliverable|mailbox (is )?not monitored|not monitored|limited access to (e-?mail|my email)|limited connectivity|will (respond|reply|get back to you) (when|as soon as|on my return)|back in the office|absente? du bureau|nicht im buro|abwesend|ausente|fuera de la oficina|de ferias|de vacaciones|en vacances|im urlaub|no escritorio|i will be back on|no access to (my )?e-?mail|for (urgent matters|anything urgent)|if your message is urgent|i'?ll be back on|currently travell?ing)\b/;

export const OPT_OUT_SUBJECT = /\b(opt[ -]?out|unsubscribe|remove me)\b/;

export const OPT_OUT =
  /\b(unsubscribe( me)?( from (these|this|your|the|all)( \w+){0,3})?|opt (me )?out|opt-out|remove me from|take me (off|of) (this|your|the)|stop (sending|emailing|e-mailing|mailing|contacting)|don'?t (want|send) (any ?more|me)|no more (of these )?(emails|messages|job alerts)|any more of these|desinscri|darme de baja|dar de baja|baja de (estos|esta)|tragen sie mich aus|austragen|abmelden|aus dem verteiler|parem de (me )?enviar|descadastr|cancelar (a )?inscri|nao quero (mais )?receber)/;

/** Privacy rights, most specific first: restriction and objection mention deletion and use. */
export const PRIVACY: { kind: PrivacyRequest; pattern: RegExp }[] = [
  {
    kind: "restriction",
    pattern:
      /\b(restrict|restriction|stop (processing|using)|(put a )?hold on (using|processing)|don'?t (delete|erase)|keep (it|them|my data),? (but |just )?don'?t use|limiter le traitement|limitar (el )?tratamiento|einschranken|einschrankung)/,
  },
  {
    kind: "objection",
    pattern:
      /\b(object to|objection|oppose|me oponho|me opongo|je m'oppose|widerspreche|widerspruch|don'?t agree to my (data|details|information))/,
  },
  {
    kind: "portability",
    pattern:
      /\b(machine[- ]?readable|portable|portability|export|transfer (it|them|my data)|import (it )?into|structured (and|,)|formato estructurado|portabilit|datenubertragbarkeit|as a (json|csv|file))/,
  },
  {
    kind: "erasure",
    pattern:
      /\b(delete|erase|erasure|remove (all )?(my|me|of my)|(remove|wipe) (everything|all)|forget me|right to be forgotten|borr(ar|en)|suprim|efface|supprim|losch|excluam|exclua|apag(ar|uem))/,
  },
  {
    kind: "rectification",
    pattern:
      /\b(correct (it|this|my|that)|correction|rectif|spelled wrong|(name|address|number|email|details?|date of birth) (is |are )?wrong|wrong (name|address|number|email|spelling)|fix (it|this|that|my)|should be \w+( \w+)?,? not |misspelt|misspelled|is wrong|out of date|update my|change (it|my \w+) to|berichtig|corrig|correg|actualic|atualiz)/,
  },
  {
    kind: "access",
    pattern:
      /\b(what (personal )?(data|information|info|details)|which (personal )?(data|information)|copy of (my|the) (personal )?(data|information)|access to my (data|information)|(data|information|info) (you )?(hold|have|store|stored|keep|collected)|subject access|quelles donnees|que datos|quais dados|welche daten|auskunft)/,
  },
];

/** Must hold for any privacy reading: it is about the sender's data. */
export const PRIVACY_TOPIC =
  /\b(data|information|info|details|records|record|on file|everything you have|personal|gdpr|cv|surname|name|nachname\w*|apellido|nom de famille|sobrenome|phone number|email address|donnees|datos|dados|daten|profil|processing)\b/;

export const CANCEL =
  /\b(cancel|withdraw|withdrawing|no longer interested|no longer (wish|want) to (be considered|proceed|continue|pursue|move forward)|(don'?t|do not) (wish|want) to (proceed|continue|move forward)|not interested anymore|take me out of consideration|bow out|pull out|decided not to (move forward|proceed|continue)|accepted (another|an?) (offer|role|position|job)|(accept|accepting) an offer elsewhere|annuler|annulation|stornieren|retire ma candidature|retirer ma candidature|je retire|cancelar|anular|retirar (mi|minha)|zuruckziehen|absagen|desisto|desistir)\b/;

export const RESCHEDULE =
  /\b(reschedul\w*|re-schedule|move (it|the|our|us|my|this|that|\w+'s)|moved|push (it|the|this|back)|shift (it|the)|change (the|our) (interview|time|appointment|call)|postpone|another time|a different time|a week later|same time|later date|instead|verschieben|verlegen|reprogramar|cambiar la|mover|mudar|changer|remarcar|reagendar|deplacer|decaler|reporter)\b/;

export const DECLINE =
  /\b((none|neither) of (those|these|the|them)( \w+)?|none|neither|not available (at|on) (any|those|these)|(can'?t|cannot) (make|do) (those|these|either|any|them|it)|(those|these|they|the) (times? |slots? |options? |dates? )?(don'?t|do not|won'?t) (work|suit)|not (available|free) (on|at) (those|these)|(both|all) (of )?(the |those |these )?(slots|times|options|days)? ?(are )?(clash|conflict)\w*|either of|ninguno|ninguna|ningun|aucun|aucune|keiner|keine der|keinen|keinem|keines|nenhum|nenhuma|not able to make (any|those|these))\b/;

export const INFO_QUESTION =
  /\b(remote|in person|in-person|on-?site|onsite|zoom|teams|google meet|video|phone|call link|link|address|parking|park|prepare|bring|salary|pay|compensation|who (will|is|are)|hiring manager|manager|panel|how long|duration|dress code|dress|wear|description|job description|role|position|english|german|french|spanish|technical|behaviou?ral|format|interviewers?|local time|your time|or yours|presencial|remoto|online|en remoto|visio|vor ort|per video|entretien se fait|tiempo|dauer|salaire|salario|gehalt)\b/;

export const QUESTION_START =
  /^(is|are|will|who|what|where|why|how|do|does|did|should|can i|could you|may i|would you|est-ce|qui|quel|quelle|ou|comment|es|la|el|findet|wer|wie|wo|wird|ist|a|o|qual|quem|onde|como|sera|cual|donde|quien|hay|gibt)\b/;

export const AFFIRMATIVE =
  /^(yes|yep|yeah|yup|sure|ok|okay|k|sounds good|sounds great|perfect|great|works for me|that works|works|fine|fine by me|confirmed|confirm|agreed|deal|oui|d'accord|parfait|si|vale|perfecto|claro|ja|gerne|passt|sim|perfeito|combinado|beleza)\b/;

export const CONFIRMATION =
  /\b(as scheduled|confirm(ing|ed)?|still (good|on|fine|works)|see you (then|there|on)|looking forward|i can attend|i'?ll be there|will be there)\b/;

export const THANKS_ONLY = /^(thanks|thank you|thx|cheers|ta|merci|gracias|danke|obrigad[oa])\b/;
