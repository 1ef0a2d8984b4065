import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../log.js';
import { type BasicAuthVerifier, createBasicAuthVerifier } from './basic-auth.js';
import {
  describeWebConfig,
  nodeTlsVersion,
  readTlsFiles,
  type TlsServerConfig,
  type WebConfig,
} from './web-config.js';

export type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

export interface StartHttpServerOptions {
  /** The express app (or any request listener). */
  readonly app: RequestListener;
  /** ':29770', 'HOST:PORT', '[::1]:PORT'; an empty host listens on every interface, port 0 on any free port. */
  readonly listenAddress: string;
  readonly webConfig: WebConfig | null;
  readonly logger: Logger;
  /** On close, requests still running after this long are cut off. @default 2000 */
  readonly closeGraceMs?: number;
}

export interface RunningHttpServer {
  readonly address: { host: string; port: number };
  readonly tls: boolean;
  /**
   * Applies a re-read web config (e.g. on SIGHUP) to new requests and connections: users, headers,
   * certificate, key, client CA and TLS versions. Turning TLS on or off, or changing client_auth_type,
   * needs a restart and is refused; on refusal nothing changes.
   */
  updateWebConfig(next: WebConfig | null): { ok: true } | { ok: false; errors: string[] };
  close(): Promise<void>;
}

/** Splits a Go-style listen address. Throws with a message fit for the user when it is not one. */
export function parseListenAddress(address: string): { host: string | null; port: number } {
  const match = /^(?:\[([0-9A-Fa-f:.%\w]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) {
    throw new Error(
      `invalid listen address ${JSON.stringify(address)}: expected HOST:PORT, :PORT or [IPv6]:PORT`,
    );
  }
  const host = match[1] ?? match[2] ?? '';
  return { host: host === '' ? null : host, port };
}

/**
 * Serves `app` over HTTP, or HTTPS when the web config has tls_server_config. Basic auth and the
 * configured headers apply to every request, including /-/healthy (as exporter-toolkit does): a Docker
 * HEALTHCHECK against an exporter with basic_auth_users must send credentials.
 */
export async function startHttpServer(options: StartHttpServerOptions): Promise<RunningHttpServer> {
  const { app, webConfig, logger } = options;
  const { host, port } = parseListenAddress(options.listenAddress);
  let guard = guardFor(webConfig);
  const handler = guardedHandler(app, () => guard, logger);

  const tls = webConfig?.tls ?? null;
  let server: ReturnType<typeof createHttpServer>;
  if (tls) {
    const mode = tls.clientAuthType;
    server = createHttpsServer(
      {
        ...secureContextOptions(tls),
        requestCert: mode !== 'NoClientCert',
        // Only this mode can be left to OpenSSL; the others are checked on the connection below.
        rejectUnauthorized: mode === 'RequireAndVerifyClientCert',
      },
      handler,
    );
    server.on('secureConnection', (socket: TLSSocket) => {
      const presented = Object.keys(socket.getPeerCertificate()).length > 0;
      const refuse =
        (mode === 'RequireAnyClientCert' && !presented) ||
        (mode === 'VerifyClientCertIfGiven' && presented && !socket.authorized);
      if (refuse) {
        logger.debug('TLS client certificate refused', {
          mode,
          reason: socket.authorizationError ?? 'none given',
        });
        socket.destroy();
      }
    });
    server.on('tlsClientError', (error: Error) => {
      logger.debug('TLS handshake failed', { err: error.message });
    });
  } else {
    server = createHttpServer(handler);
  }

  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    const onListening = () => {
      server.off('error', reject);
      resolvePromise();
    };
    if (host === null) server.listen(port, onListening);
    else server.listen(port, host, onListening);
  });
  server.on('error', (error) => logger.error('HTTP server error', { err: error.message }));

  const bound = server.address() as AddressInfo;
  const address = { host: bound.address, port: bound.port };
  logger.info('listening', { address: formatAddress(address), ...describeWebConfig(webConfig) });

  const closeGraceMs = options.closeGraceMs ?? 2000;
  let closing: Promise<void> | null = null;
  return {
    address,
    tls: tls !== null,
    updateWebConfig(next) {
      const nextTls = next?.tls ?? null;
      if ((tls === null) !== (nextTls === null)) {
        return { ok: false, errors: ['turning TLS on or off needs a restart'] };
      }
      if (tls && nextTls) {
        if (nextTls.clientAuthType !== tls.clientAuthType) {
          return { ok: false, errors: ['changing tls_server_config.client_auth_type needs a restart'] };
        }
        try {
          (server as ReturnType<typeof createHttpsServer>).setSecureContext(secureContextOptions(nextTls));
        } catch (error) {
          return {
            ok: false,
            errors: [`tls_server_config: ${error instanceof Error ? error.message : String(error)}`],
          };
        }
      }
      guard = guardFor(next);
      logger.info('Web config applied', describeWebConfig(next));
      return { ok: true };
    },
    close() {
      closing ??= new Promise<void>((resolvePromise) => {
        const force = setTimeout(() => server.closeAllConnections(), closeGraceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolvePromise();
        });
        server.closeIdleConnections();
      });
      return closing;
    },
  };
}

/** What every request passes before the app; swapped as a whole by updateWebConfig. */
interface Guard {
  readonly headers: readonly [string, string][];
  readonly auth: BasicAuthVerifier | null;
}

function guardFor(webConfig: WebConfig | null): Guard {
  const users = webConfig?.basicAuthUsers;
  return {
    headers: Object.entries(webConfig?.headers ?? {}),
    auth: users && users.size > 0 ? createBasicAuthVerifier(users) : null,
  };
}

function secureContextOptions(tls: TlsServerConfig) {
  const { cert, key, ca } = readTlsFiles(tls);
  return {
    cert,
    key,
    ...(ca ? { ca } : {}),
    minVersion: nodeTlsVersion(tls.minVersion),
    maxVersion: nodeTlsVersion(tls.maxVersion),
  };
}

function guardedHandler(app: RequestListener, currentGuard: () => Guard, logger: Logger): RequestListener {
  return (req, res) => {
    const { headers, auth } = currentGuard();
    for (const [name, value] of headers) res.setHeader(name, value);
    if (auth === null) {
      app(req, res);
      return;
    }
    auth.verify(req.headers.authorization).then(
      (ok) => {
        if (ok) {
          app(req, res);
          return;
        }
        res.statusCode = 401;
        res.setHeader('WWW-Authenticate', 'Basic');
        res.setHeader('Content-Type', 'text/plain; charset=utf-8');
        res.end('Unauthorized\n');
      },
      (error: unknown) => {
        logger.error('basic auth check failed', {
          err: error instanceof Error ? error.message : String(error),
        });
        res.statusCode = 500;
        res.end();
      },
    );
  };
}

function formatAddress({ host, port }: { host: string; port: number }): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
