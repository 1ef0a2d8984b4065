/**
 * `${VAR}` substitution in config strings. `${VAR:-default}` falls back when VAR is unset or empty (as in
 * POSIX shells and docker compose); `$${` is a literal `${`. Messages never echo the string itself: it
 * may be a secret.
 */
export type Substitution = { ok: true; value: string } | { ok: false; error: string };

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function hasReference(text: string): boolean {
  return text.includes('${');
}

export function substituteEnv(text: string, env: Readonly<Record<string, string | undefined>>): Substitution {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text.startsWith('$${', i)) {
      out += '${';
      i += 3;
      continue;
    }
    if (!text.startsWith('${', i)) {
      out += text[i];
      i += 1;
      continue;
    }
    const close = text.indexOf('}', i + 2);
    if (close === -1) return { ok: false, error: 'unterminated "${" (write "$${" for a literal "${")' };
    const reference = text.slice(i + 2, close);
    const separator = reference.indexOf(':-');
    const name = separator === -1 ? reference : reference.slice(0, separator);
    if (!VARIABLE_NAME.test(name)) {
      return {
        ok: false,
        error: `invalid variable name in "\${...}" (use letters, digits and _, not starting with a digit)`,
      };
    }
    const value = env[name];
    if (separator !== -1) {
      out += value === undefined || value === '' ? reference.slice(separator + 2) : value;
    } else if (value === undefined) {
      return {
        ok: false,
        error: `environment variable ${name} is not set (write \${${name}:-default} for a default)`,
      };
    } else {
      out += value;
    }
    i = close + 1;
  }
  return { ok: true, value: out };
}
