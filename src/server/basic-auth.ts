import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

/**
 * HTTP basic authentication against bcrypt hashes, as exporter-toolkit does it (web/handler.go): an
 * unknown user is checked against a fixed hash so the response time does not reveal which users exist,
 * and a successful check is remembered so a scrape every few seconds does not pay bcrypt's cost (~70 ms
 * at cost 10) each time. The memory holds a SHA-256 of the password, never the password.
 */
export interface BasicAuthVerifier {
  /** True when the Authorization header carries a known user and the right password. */
  verify(authorization: string | undefined): Promise<boolean>;
}

// bcryptjs hash of a random string no user has; only its cost matters.
const UNKNOWN_USER_HASH = '$2b$10$hNUDpX9HZvL7SiEACX0ZReQuUWzxpdgofZ5oQRjewkKMsPeYC9VYO';

export function createBasicAuthVerifier(users: ReadonlyMap<string, string>): BasicAuthVerifier {
  // key: user + NUL + hash, so a changed hash never matches an old entry. One entry per user.
  const verified = new Map<string, Buffer>();
  return {
    async verify(authorization) {
      const credentials = parseBasicAuth(authorization);
      if (credentials === null) return false;
      const hash = users.get(credentials.user);
      const digest = sha256(credentials.password);
      const key = `${credentials.user}\0${hash ?? ''}`;
      const remembered = hash === undefined ? undefined : verified.get(key);
      if (remembered !== undefined && timingSafeEqual(remembered, digest)) return true;
      const ok = await bcrypt.compare(credentials.password, hash ?? UNKNOWN_USER_HASH);
      if (!ok || hash === undefined) return false;
      verified.set(key, digest);
      return true;
    },
  };
}

/** `Basic base64(user:password)`; the scheme is case-insensitive (RFC 7617), the password may hold ':'. */
export function parseBasicAuth(header: string | undefined): { user: string; password: string } | null {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
