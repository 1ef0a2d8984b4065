export { createHttpApp, type HttpAppOptions, type ReloadResult, STATUS_PAGE_CSP } from './app.js';
export {
  parseListenAddress,
  type RequestListener,
  type RunningHttpServer,
  type StartHttpServerOptions,
  startHttpServer,
} from './listen.js';
export type * from './status.js';
export { RECENT_PAYMENTS_LIMIT } from './status.js';
export {
  describeWebConfig,
  loadWebConfig,
  parseWebConfig,
  type TlsServerConfig,
  type WebConfig,
  type WebConfigResult,
} from './web-config.js';
