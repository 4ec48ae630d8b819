/** Reading replies: the public face of src/understand (pure). */
export { DEFAULT_THRESHOLD } from "./confidence.js";
export { type InterviewerReading, readInterviewerReply } from "./interviewer-reply.js";
export { analyse, understand } from "./reader.js";
export { stripQuoted } from "./strip.js";
export {
  INTENTS,
  type Intent,
  type Interval,
  PRIVACY_REQUESTS,
  type PrivacyRequest,
  type Reading,
  type UnderstandInput,
  understandInputSchema,
} from "./types.js";
