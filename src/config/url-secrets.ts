/*
 * The secrets a URL can carry, masked wherever a URL is shown (logs, the status page, check-config, metric
 * labels, command errors): the userinfo password (`wss://user:pass@host`) and every query-string value
 * (`wss://host/?api_key=...`), where hosted rippled/Clio providers put API keys. Parameter names stay, so
 * the masked URL still says what it is.
 */

/** What replaces every secret whenever something is shown (as Prometheus' `Secret` type does). */
export const SECRET_PLACEHOLDER = '<secret>';

const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const USERINFO_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^/@:]*):[^/@]*@/i;
/**
 * A URL inside free text (a log message, a server's error): up to whitespace, a quote or an angle bracket,
 * not counting punctuation that ends a sentence or a list (`..., wss://host/?k=v, 503`).
 */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*[^\s"'<>`,.;:)\]]/gi;

/**
 * `wss://user:pass@host/?api_key=KEY&v=2` -> `wss://user:<secret>@host/?api_key=<secret>&v=<secret>`.
 * Text that is not a URL is returned as it is.
 */
export function maskUrlSecrets(text: string): string {
  if (!SCHEME.test(text)) return text;
  const url = text.replace(USERINFO_PASSWORD, `$1:${SECRET_PLACEHOLDER}@`);
  const query = url.indexOf('?');
  if (query < 0) return url;
  const fragment = url.indexOf('#', query);
  const end = fragment < 0 ? url.length : fragment;
  const params = url
    .slice(query + 1, end)
    .split('&')
    .map(maskParameterValue)
    .join('&');
  return `${url.slice(0, query + 1)}${params}${url.slice(end)}`;
}

/**
 * `text` with the secrets of every URL in it masked: first the given URLs wherever they appear verbatim
 * (a password may hold characters that end a URL in free text), then anything else shaped like a URL
 * (a library may quote a URL normalised, e.g. `wss://host?k=v` as `wss://host/?k=v`).
 */
export function maskUrlsInText(text: string, known: readonly string[] = []): string {
  let out = text;
  for (const url of known) {
    const masked = maskUrlSecrets(url);
    if (masked !== url) out = out.split(url).join(masked);
  }
  return out.replace(URL_IN_TEXT, maskUrlSecrets);
}

function maskParameterValue(parameter: string): string {
  const equals = parameter.indexOf('=');
  if (equals < 0 || equals === parameter.length - 1) return parameter;
  return `${parameter.slice(0, equals + 1)}${SECRET_PLACEHOLDER}`;
}
