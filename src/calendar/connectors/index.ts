/**
 * Calendar connectors: where busy time comes from, and where Ally's events go. The rest of Ally
 * sees `CalendarSource`, `EventWriter` and `ConnectorError`, and gets a source from `sourceFor`.
 */
export { type CalDavCredentials, type CalDavOptions, CalDavSource } from "./caldav.js";
export { CalDavEventWriter } from "./caldav-event-writer.js";
export { type IcsFeedOptions, IcsFeedSource } from "./ics-feed.js";
export { IcsFileSource } from "./ics-file.js";
export {
  GoogleEventWriter,
  googleEventId,
  MicrosoftEventWriter,
  providerDescription,
} from "./provider-event-writers.js";
export { type SourceEnv, type SourceOptions, type SourceResult, sourceFor } from "./source-for.js";
export {
  type BusyRead,
  type CalendarSource,
  ConnectorError,
  type ConnectorErrorCode,
  type EpochMsInterval,
  type EventReference,
  type EventWriteResult,
  type EventWriter,
} from "./types.js";
