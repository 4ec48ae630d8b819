/**
 * Calendar connectors: where busy time comes from. The rest of Ally sees `CalendarSource` and
 * `ConnectorError`, and gets a source from `sourceFor`.
 */
export { type CalDavCredentials, type CalDavOptions, CalDavSource } from "./caldav.js";
export { type IcsFeedOptions, IcsFeedSource } from "./ics-feed.js";
export { IcsFileSource } from "./ics-file.js";
export { type SourceEnv, type SourceOptions, type SourceResult, sourceFor } from "./source-for.js";
export {
  type BusyRead,
  type CalendarSource,
  ConnectorError,
  type ConnectorErrorCode,
  type EpochMsInterval,
} from "./types.js";
