export { type BackoffOptions, DEFAULT_BACKOFF, ExponentialBackoff } from './backoff.js';
export type {
  RippledClientHandlers,
  RippledClientOptions,
  StreamName,
  SubscribedInfo,
  Subscription,
} from './client-options.js';
export {
  ConnectError,
  DisconnectedError,
  NotConnectedError,
  ResponseFormatError,
  RippledError,
  TimeoutError,
} from './errors.js';
export {
  type CloseInfo,
  DEFAULT_MAX_MESSAGE_BYTES,
  INTENTIONAL_CLOSE_CODE,
  RequestConnection,
  type RequestConnectionOptions,
  type RippledCommand,
  type RippledMessage,
  type RippledResult,
} from './request-connection.js';
export { RippledClient, type ServerConnectionState } from './rippled-client.js';
export { parseServerInfo, parseServerTime, type ServerInfo } from './server-info.js';
export { chunkAccounts, DEFAULT_MAX_SUBSCRIBE_REQUEST_BYTES } from './subscribe-chunks.js';
