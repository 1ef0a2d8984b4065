import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { oneAtATime } from '../concurrency.js';
import type { Logger } from '../log.js';
import type { StatusQuery, StatusSnapshot } from './status.js';
import { STATUS_CSS } from './status-assets.js';
import { APP_NAME, renderStatusPage } from './status-page.js';
import { STATUS_SCRIPT } from './status-script.js';

/** `needsRestart`: changed keys that take effect only after a restart (the rest was applied). */
export type ReloadResult = { ok: true; needsRestart?: readonly string[] } | { ok: false; errors: string[] };

export interface HttpAppOptions {
  /** Where Prometheus scrapes. @default '/metrics' */
  readonly telemetryPath?: string;
  /**
   * The exposition, e.g. from a prom-client registry: `{ contentType: registry.contentType, body }`.
   * `gzip`: the scraper accepts gzip; a body compressed for it says `encoding: 'gzip'`.
   */
  readonly renderMetrics: (gzip: boolean) => Promise<{
    contentType: string;
    body: string | Buffer | readonly Buffer[];
    encoding?: 'gzip' | 'identity';
  }>;
  /** Connected, subscribed and the ledger stream fresh. */
  readonly isReady: () => boolean;
  readonly getStatus: (query: StatusQuery) => StatusSnapshot;
  /** Reloads the configuration; the errors are shown to the caller as they are, so they must hold no secrets. */
  readonly reload: () => Promise<ReloadResult>;
  readonly version: string;
  /** @default 'unknown' */
  readonly revision?: string;
  readonly logger: Logger;
  /** How often the status page's script refreshes the page. @default 5000 */
  readonly refreshIntervalMs?: number;
}

/**
 * The policy for the status page: only our own script, stylesheet and requests; no framing, no plugins.
 * Forms may submit to the page itself (the account search is a GET form).
 */
export const STATUS_PAGE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const TEXT = 'text/plain; charset=utf-8';

/**
 * The exporter's routes. Authentication and TLS are not here: startHttpServer applies them in front of
 * this app, to every path.
 */
export function createHttpApp(options: HttpAppOptions): Express {
  const telemetryPath = options.telemetryPath ?? '/metrics';
  checkTelemetryPath(telemetryPath);
  const { logger } = options;
  const pageOptions = {
    version: options.version,
    revision: options.revision ?? 'unknown',
    telemetryPath,
    refreshIntervalMs: options.refreshIntervalMs ?? 5000,
  };
  // One reload at a time: a second request waits for the first and then reloads again.
  const reload = oneAtATime(() => options.reload());

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.use((_req, res, next) => {
    res.set('X-Content-Type-Options', 'nosniff');
    next();
  });

  // Matched by exact string rather than an express route pattern: a telemetry path is data, not syntax.
  app.use(async (req, res, next) => {
    if (req.path !== telemetryPath || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    try {
      // Prometheus sends `Accept-Encoding: gzip`; q-values and `*` are honoured, no header means identity.
      const gzip = req.acceptsEncodings('gzip', 'identity') === 'gzip';
      const { contentType, body, encoding } = await options.renderMetrics(gzip);
      res
        .status(200)
        .set('Content-Type', contentType)
        .set('Cache-Control', 'no-store')
        // The body depends on Accept-Encoding: caches must not hand a gzip body to a client without it.
        .set('Vary', 'Accept-Encoding');
      if (encoding === 'gzip') res.set('Content-Encoding', 'gzip');
      if (Array.isArray(body)) {
        sendParts(req, res, body);
        return;
      }
      // A Buffer, not a string: for strings express re-formats the content type (utils.setCharset).
      res.send(typeof body === 'string' ? Buffer.from(body) : body);
    } catch (error) {
      next(error);
    }
  });

  app.get('/', (req, res) => {
    const body = renderStatusPage(options.getStatus(statusQuery(req)), pageOptions);
    // A policy from the web config's http_server_config.headers (set before the app runs) wins.
    if (!res.get('Content-Security-Policy')) res.set('Content-Security-Policy', STATUS_PAGE_CSP);
    res.status(200).set('Content-Type', 'text/html; charset=utf-8').set('Cache-Control', 'no-store');
    res.send(Buffer.from(body));
  });
  app.get('/api/status', (req, res) => {
    res
      .status(200)
      .set('Cache-Control', 'no-store')
      .json(options.getStatus(statusQuery(req)));
  });
  app.get('/static/status.js', (_req, res) => {
    res.status(200).set('Content-Type', 'text/javascript; charset=utf-8').send(Buffer.from(STATUS_SCRIPT));
  });
  app.get('/static/status.css', (_req, res) => {
    res.status(200).set('Content-Type', 'text/css; charset=utf-8').send(Buffer.from(STATUS_CSS));
  });

  app.get('/-/healthy', (_req, res) => {
    text(res, 200, `${APP_NAME} is Healthy.\n`);
  });
  app.get('/-/ready', (_req, res) => {
    if (options.isReady()) text(res, 200, `${APP_NAME} is Ready.\n`);
    else text(res, 503, `${APP_NAME} is not ready.\n`);
  });

  app.all('/-/reload', (req, res, next) => {
    if (req.method !== 'POST' && req.method !== 'PUT') {
      res.set('Allow', 'POST, PUT');
      text(res, 405, 'Only POST or PUT requests allowed');
      return;
    }
    reload().then(
      (result) => {
        if (result.ok) text(res, 200, reloadedText(result.needsRestart ?? []));
        else text(res, 500, `failed to reload config:\n${result.errors.join('\n')}\n`);
      },
      (error: unknown) => next(error),
    );
  });

  app.use((_req, res) => {
    text(res, 404, '404 page not found\n');
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    logger.error('HTTP handler failed', {
      path: req.path,
      err: error instanceof Error ? error.message : String(error),
    });
    if (res.headersSent) {
      res.end();
      return;
    }
    text(res, 500, 'Internal Server Error\n');
  });
  return app;
}

/** A body in parts, written in order without joining them (HEAD: the headers only). */
function sendParts(req: Request, res: Response, parts: readonly Buffer[]): void {
  res.set('Content-Length', String(parts.reduce((n, part) => n + part.length, 0)));
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  res.cork();
  for (const part of parts) res.write(part);
  res.end();
}

/** `?account=TEXT` searches the accounts; anything else (repeated, nested) is ignored. */
function statusQuery(req: Request): StatusQuery {
  const account = req.query.account;
  return { account: typeof account === 'string' ? account.slice(0, 200) : null };
}

function text(res: Response, status: number, body: string): void {
  res.status(status).set('Content-Type', TEXT).send(Buffer.from(body));
}

function checkTelemetryPath(path: string): void {
  const reserved = [
    '/',
    '/api/status',
    '/-/healthy',
    '/-/ready',
    '/-/reload',
    '/static/status.js',
    '/static/status.css',
  ];
  if (!path.startsWith('/') || /[\s?#]/.test(path)) {
    throw new Error(`--web.telemetry-path must be a path starting with "/", got ${JSON.stringify(path)}`);
  }
  if (reserved.includes(path)) {
    throw new Error(`--web.telemetry-path ${JSON.stringify(path)} is taken by another endpoint`);
  }
}

/** The answer to a successful reload: empty (as Prometheus answers), or the keys that need a restart. */
function reloadedText(needsRestart: readonly string[]): string {
  return needsRestart.length === 0
    ? ''
    : `config reloaded; changed keys that need a restart to take effect: ${needsRestart.join(', ')}\n`;
}
