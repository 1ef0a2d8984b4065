import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * `--web.config.file`: the Prometheus exporter-toolkit web configuration format, the subset this
 * exporter implements (prometheus/exporter-toolkit docs/web-configuration.md). Keys of the full format
 * that are not implemented are rejected by name rather than silently ignored.
 *
 * The loaded value holds bcrypt hashes: never log it; describeWebConfig gives a loggable summary.
 */
export interface WebConfig {
  readonly tls: TlsServerConfig | null;
  /** user -> bcrypt hash; empty = no authentication. */
  readonly basicAuthUsers: ReadonlyMap<string, string>;
  /** Extra response headers, from http_server_config.headers. */
  readonly headers: Readonly<Record<string, string>>;
}

export type ClientAuthType =
  | 'NoClientCert'
  | 'RequestClientCert'
  | 'RequireAnyClientCert'
  | 'VerifyClientCertIfGiven'
  | 'RequireAndVerifyClientCert';

export type TlsVersionName = 'TLS10' | 'TLS11' | 'TLS12' | 'TLS13';

export interface TlsServerConfig {
  /** Absolute paths (relative ones in the file are resolved against the file's directory). */
  readonly certFile: string;
  readonly keyFile: string;
  readonly clientCaFile: string | null;
  /** @default 'NoClientCert' */
  readonly clientAuthType: ClientAuthType;
  /** @default 'TLS12' */
  readonly minVersion: TlsVersionName;
  /** @default 'TLS13' */
  readonly maxVersion: TlsVersionName;
}

export type WebConfigResult = { ok: true; config: WebConfig } | { ok: false; errors: string[] };

const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;
const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
/** Modes in which the client's certificate is checked against client_ca_file. */
const VERIFYING_MODES: readonly ClientAuthType[] = ['VerifyClientCertIfGiven', 'RequireAndVerifyClientCert'];

/** The toolkit lets only these headers be set, and two of them only to these values (web/handler.go). */
const ALLOWED_HEADERS: Record<string, readonly string[] | null> = {
  'Strict-Transport-Security': null,
  'X-Content-Type-Options': ['nosniff'],
  'X-Frame-Options': ['deny', 'sameorigin'],
  'X-XSS-Protection': null,
  'Content-Security-Policy': null,
};

/** Keys of the toolkit format this exporter does not implement, with what to use instead. */
const NOT_IMPLEMENTED: Record<string, string> = {
  cert: 'use cert_file',
  key: 'use key_file',
  client_ca: 'use client_ca_file',
  cipher_suites: "Node's defaults apply",
  curve_preferences: "Node's defaults apply",
  prefer_server_cipher_suites: "Node's defaults apply",
  client_allowed_sans: 'not implemented',
  http2: 'the server speaks HTTP/1.1',
  rate_limit: 'not implemented',
};

// bcrypt modular crypt format: $2a$/$2b$/$2y$, two-digit cost, 22 characters of salt + 31 of hash.
const BCRYPT_HASH = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

const nonEmpty = z
  .string({ error: (issue) => (issue.input === undefined ? 'required' : undefined) })
  .min(1, 'must not be empty');
const schema = z.strictObject({
  tls_server_config: z
    .strictObject({
      cert_file: nonEmpty,
      key_file: nonEmpty,
      client_ca_file: nonEmpty.optional(),
      client_auth_type: z.enum(CLIENT_AUTH_TYPES).optional(),
      min_version: z.enum(TLS_VERSIONS).optional(),
      max_version: z.enum(TLS_VERSIONS).optional(),
    })
    .nullish(),
  http_server_config: z.strictObject({ headers: z.record(z.string(), z.string()).nullish() }).nullish(),
  basic_auth_users: z.record(z.string(), z.string()).nullish(),
});

/** Reads, parses and validates a web config file, and checks that its certificate files load. */
export function loadWebConfig(path: string): WebConfigResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { ok: false, errors: [`cannot read web config file ${path}: ${errorMessage(error)}`] };
  }
  return parseWebConfig(text, dirname(resolve(path)));
}

/** Validates web config YAML; relative file paths resolve against `baseDir`. */
export function parseWebConfig(text: string, baseDir: string): WebConfigResult {
  let document: unknown;
  try {
    document = parseYaml(text);
  } catch (error) {
    // Only the first line: the rest is an excerpt of the file, which may hold a password hash.
    return { ok: false, errors: [`invalid YAML: ${errorMessage(error).split('\n')[0]?.replace(/:$/, '')}`] };
  }
  const parsed = schema.safeParse(document ?? {});
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.flatMap(describeIssue) };

  const errors: string[] = [];
  const raw = parsed.data;
  const basicAuthUsers = new Map<string, string>();
  for (const [user, hash] of Object.entries(raw.basic_auth_users ?? {})) {
    const where = `basic_auth_users.${user}`;
    // The hash itself is a secret: errors name the user, never the value.
    if (user === '' || user.includes(':'))
      errors.push(`${where}: a user name must be non-empty and contain no ":"`);
    else if (!isBcryptHash(hash))
      errors.push(`${where}: not a bcrypt hash (make one with htpasswd -nBC 10 "" or bcryptjs)`);
    else basicAuthUsers.set(user, hash);
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.http_server_config?.headers ?? {})) {
    const allowed = ALLOWED_HEADERS[name];
    if (allowed === undefined) {
      errors.push(`http_server_config.headers: HTTP header ${JSON.stringify(name)} can not be configured`);
    } else if (allowed !== null && !allowed.includes(value)) {
      errors.push(
        `http_server_config.headers.${name}: must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`,
      );
    } else {
      headers[name] = value;
    }
  }

  let tls: TlsServerConfig | null = null;
  const rawTls = raw.tls_server_config;
  if (rawTls) {
    tls = {
      certFile: resolve(baseDir, rawTls.cert_file),
      keyFile: resolve(baseDir, rawTls.key_file),
      clientCaFile: rawTls.client_ca_file === undefined ? null : resolve(baseDir, rawTls.client_ca_file),
      clientAuthType: rawTls.client_auth_type ?? 'NoClientCert',
      minVersion: rawTls.min_version ?? 'TLS12',
      maxVersion: rawTls.max_version ?? 'TLS13',
    };
    errors.push(...checkTls(tls));
  }

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: { tls, basicAuthUsers, headers } };
}

export function isBcryptHash(hash: string): boolean {
  const match = BCRYPT_HASH.exec(hash);
  const cost = Number(match?.[1]);
  return match !== null && cost >= 4 && cost <= 31;
}

/** What can be logged about a web config: no hashes, no paths to keys. */
export function describeWebConfig(config: WebConfig | null): Record<string, unknown> {
  return {
    tls: config?.tls !== null && config?.tls !== undefined,
    client_auth: config?.tls?.clientAuthType ?? 'NoClientCert',
    basic_auth_users: config?.basicAuthUsers.size ?? 0,
  };
}

/** Node's names for the toolkit's TLS versions. */
export function nodeTlsVersion(version: TlsVersionName): 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3' {
  return ({ TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const)[version];
}

/** The options node:https needs, read from the files now (so a rotated certificate is picked up on restart). */
export function readTlsFiles(tls: TlsServerConfig): { cert: Buffer; key: Buffer; ca: Buffer | undefined } {
  return {
    cert: readFileSync(tls.certFile),
    key: readFileSync(tls.keyFile),
    ca: tls.clientCaFile === null ? undefined : readFileSync(tls.clientCaFile),
  };
}

function checkTls(tls: TlsServerConfig): string[] {
  const errors: string[] = [];
  if (TLS_VERSIONS.indexOf(tls.minVersion) > TLS_VERSIONS.indexOf(tls.maxVersion)) {
    errors.push('tls_server_config: min_version is above max_version');
  }
  if (tls.clientCaFile !== null && tls.clientAuthType === 'NoClientCert') {
    errors.push(
      'tls_server_config.client_ca_file: set, but client_auth_type is NoClientCert (set client_auth_type)',
    );
  }
  // Go would fall back to the system roots here; verifying client certificates against the public web
  // PKI is almost never what an operator means, so we ask for the CA explicitly.
  if (tls.clientCaFile === null && VERIFYING_MODES.includes(tls.clientAuthType)) {
    errors.push(`tls_server_config.client_ca_file: required when client_auth_type is ${tls.clientAuthType}`);
  }
  const files: [string, string | null][] = [
    ['cert_file', tls.certFile],
    ['key_file', tls.keyFile],
    ['client_ca_file', tls.clientCaFile],
  ];
  let readable = true;
  for (const [key, file] of files) {
    if (file === null) continue;
    try {
      readFileSync(file);
    } catch (error) {
      readable = false;
      errors.push(`tls_server_config.${key}: cannot read ${file}: ${errorMessage(error)}`);
    }
  }
  if (readable) {
    try {
      const { cert, key, ca } = readTlsFiles(tls);
      createSecureContext({ cert, key, ...(ca ? { ca } : {}) });
    } catch (error) {
      // OpenSSL's message names the problem (e.g. "key values mismatch"), never the key material.
      const reason = errorMessage(error).replace(/^error:[0-9A-F]+:[^:]*::?/, '');
      errors.push(`tls_server_config: cannot load the certificate and key: ${reason}`);
    }
  }
  return errors;
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const where = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => {
      const path = where ? `${where}.${key}` : key;
      const why = NOT_IMPLEMENTED[key];
      return why ? `${path}: not supported by this exporter (${why})` : `${path}: unknown key`;
    });
  }
  return [`${where || '(root)'}: ${issue.message}`];
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
