import type Big from 'big.js';
import { z } from 'zod';
import { isRecord } from '../json.js';
import type { SinkName } from './types.js';
import {
  describe,
  type Parsed,
  parseAddress,
  parseAmount,
  parseBoolean,
  parseCurrency,
  parseDestinationTag,
  parseDurationValue,
  parseEmailAddress,
  parseFiniteNumber,
  parseInteger,
  parseSecret,
  parseSince,
  parseText,
  parseUrl,
} from './values.js';
import { YamlNumber } from './yaml-tree.js';

/**
 * The shape of config.yaml: strict objects (unknown keys are errors), one parser per value. Checks that
 * relate several values (kind-dependent keys, duplicates, references) live in cross-checks.ts and join
 * the same error list.
 */
type Parser<T> = (value: unknown) => Parsed<T>;

function run<T>(parse: Parser<T>, value: unknown, ctx: z.RefinementCtx): T {
  const result = parse(value);
  if (result.ok) return result.value;
  ctx.addIssue({ code: 'custom', message: result.error });
  return z.NEVER;
}

/** A required value: absent or empty is "required". */
function required<T>(parse: Parser<T>) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): T => {
      if (value === undefined || value === null) {
        ctx.addIssue({ code: 'custom', message: 'required' });
        return z.NEVER;
      }
      return run(parse, value, ctx);
    });
}

/** An optional value: absent or empty (`key:` with nothing) gives the default. */
function optional<T, D>(parse: Parser<T>, fallback: D) {
  return z
    .unknown()
    .optional()
    .transform((value, ctx): T | D =>
      value === undefined || value === null ? fallback : run(parse, value, ctx),
    );
}

/**
 * A strict mapping (unknown keys are errors). Numbers are YamlNumber objects in the tree, which zod
 * would otherwise take for a mapping.
 */
function mapping<Shape extends z.ZodRawShape>(shape: Shape) {
  return z
    .unknown()
    .superRefine((value, ctx) => {
      if (value instanceof YamlNumber)
        ctx.addIssue({ code: 'custom', message: 'expected a mapping, got a number' });
    })
    .pipe(z.strictObject(shape));
}

function list<S extends z.ZodType>(item: S) {
  return z.array(item).min(1, { error: 'must not be empty' });
}

function optionalList<S extends z.ZodType>(item: S) {
  return list(item)
    .nullish()
    .transform((items) => items ?? null);
}

const positive =
  (parse: Parser<number>): Parser<number> =>
  (value) => {
    const result = parse(value);
    return result.ok && result.value <= 0 ? { ok: false, error: 'must be greater than 0' } : result;
  };

/** Node timers overflow past 2^31-1 ms (about 24.8 days) and would fire at once. */
const timerDuration: Parser<number> = (value) => {
  const result = positive(parseDurationValue)(value);
  return result.ok && result.value > 2 ** 31 - 1 ? { ok: false, error: 'must be at most 24d' } : result;
};

const serverUrl: Parser<string> = (value) => parseUrl(value, ['ws', 'wss']);

const explorerUrl: Parser<string> = (value) => {
  const url = parseUrl(value, ['http', 'https']);
  if (!url.ok) return url;
  return url.value.includes('{hash}') ? url : { ok: false, error: 'must contain {hash}' };
};

const xrplSchema = mapping({
  servers: list(required(serverUrl)),
  api_version: optional((v): Parsed<1 | 2> => {
    const n = parseInteger(v, 1, 2, '');
    return n.ok ? { ok: true, value: n.value === 1 ? 1 : 2 } : { ok: false, error: 'must be 1 or 2' };
  }, 2 as const),
  stale_after: optional(timerDuration, 30_000),
  request_timeout: optional(timerDuration, 20_000),
  explorer_url: optional(explorerUrl, null),
  full_stream_threshold: optional(
    (v) => parseInteger(v, 1, Number.MAX_SAFE_INTEGER, 'greater than 0'),
    10_000,
  ),
  // NetworkID is a UInt32 (mainnet 0, testnet 1, devnet 2).
  network_id: optional((v) => parseInteger(v, 0, 0xffffffff, 'from 0 to 4294967295'), null),
});

/** 0 turns the periodic check off. */
const verificationInterval: Parser<number> = (value) => {
  const result = parseDurationValue(value);
  return result.ok && result.value > 2 ** 31 - 1 ? { ok: false, error: 'must be at most 24d' } : result;
};

/** Defaults that the config builder applies when a whole section is absent, too. */
export const DEFAULT_VERIFICATION_INTERVAL_MS = 600_000;
export const DEFAULT_MAX_BACKFILL_LEDGERS = 100_000;

const verificationSchema = mapping({
  interval: optional(verificationInterval, DEFAULT_VERIFICATION_INTERVAL_MS),
});

const accountSchema = mapping({
  address: required(parseAddress),
  name: optional(parseText, null),
  group: optional(parseText, null),
  since: optional(parseSince, null),
});

const stateSchema = mapping({
  path: optional(parseText, null),
  max_backfill_ledgers: optional(
    (v) => parseInteger(v, 0, Number.MAX_SAFE_INTEGER, '>= 0'),
    DEFAULT_MAX_BACKFILL_LEDGERS,
  ),
});

export const DEFAULT_BUCKETS = [1, 10, 100, 1000, 10000, 100000, 1000000] as const;

const metricsSchema = mapping({
  payment_size_buckets_xrp: list(required(positive(parseFiniteNumber)))
    .superRefine((buckets, ctx) => {
      buckets.forEach((bucket, index) => {
        const previous = buckets[index - 1];
        if (previous !== undefined && bucket <= previous) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: `must be greater than the previous bucket (${previous})`,
          });
        }
      });
    })
    .nullish(),
  aggregate_by: optional((v): Parsed<'account' | 'group'> => {
    if (v === 'account' || v === 'group') return { ok: true, value: v };
    return { ok: false, error: 'must be "account" or "group"' };
  }, 'account' as const),
});

const smtpSchema = mapping({
  host: required(parseText),
  port: optional((v) => parseInteger(v, 1, 65535, 'from 1 to 65535'), null),
  secure: optional(parseBoolean, false),
  user: optional(parseSecretOrEmpty(parseText), null),
  password: optional(parseSecretOrEmpty(parseSecret), null),
});

/** An empty user or password means "none", so `password: ${SMTP_PASSWORD:-}` turns auth off. */
function parseSecretOrEmpty(parse: Parser<string>): Parser<string | null> {
  return (value) => (value === '' ? { ok: true, value: null } : parse(value));
}

const emailSchema = mapping({
  smtp: smtpSchema,
  from: required(parseEmailAddress),
  to: list(required(parseEmailAddress)),
});

/** An Alertmanager base URL: `<url>/api/v2/alerts` is where alerts go, so no query or fragment. */
const alertmanagerUrl: Parser<string> = (value) => {
  const url = parseUrl(value, ['http', 'https']);
  if (!url.ok) return url;
  const parsed = new URL(url.value);
  return parsed.search !== '' || parsed.hash !== ''
    ? { ok: false, error: 'must not have a query or fragment (the API path is appended to it)' }
    : url;
};

const basicAuthSchema = mapping({
  username: required(parseText),
  password: required(parseSecret),
});

const alertmanagerSchema = mapping({
  urls: list(required(alertmanagerUrl)),
  resend_interval: optional(timerDuration, 60_000),
  timeout: optional(timerDuration, 10_000),
  basic_auth: basicAuthSchema.nullish(),
});

const SINKS = ['email', 'alertmanager'] as const satisfies readonly SinkName[];

const sinkName: Parser<SinkName> = (value) => {
  const sink = SINKS.find((s) => s === value);
  return sink === undefined
    ? { ok: false, error: `must be one of ${SINKS.join(', ')}` }
    : { ok: true, value: sink };
};

/** A label value: a string, or a number or true/false written as in the file. */
const labelValue: Parser<string> = (value) => {
  if (typeof value === 'string') return { ok: true, value };
  if (value instanceof YamlNumber) return { ok: true, value: value.source };
  if (typeof value === 'boolean') return { ok: true, value: String(value) };
  return { ok: false, error: `expected a string, got ${describe(value)}` };
};

const ruleLabels = z
  .unknown()
  .superRefine((value, ctx) => {
    if (value instanceof YamlNumber || !isRecord(value)) {
      ctx.addIssue({ code: 'custom', message: `expected a mapping, got ${describe(value)}` });
    }
  })
  .pipe(z.record(z.string(), required(labelValue)));

const RULE_KINDS = ['payment', 'total', 'count', 'silence'] as const;
export type RuleKindText = (typeof RULE_KINDS)[number];

const ruleKind: Parser<RuleKindText> = (value) => {
  const kind = RULE_KINDS.find((k) => k === value);
  return kind === undefined
    ? { ok: false, error: `must be one of ${RULE_KINDS.join(', ')}` }
    : { ok: true, value: kind };
};

const ruleSchema = mapping({
  name: required(parseText),
  kind: required(ruleKind),
  threshold: optional<Big, null>(parseAmount, null),
  window: optional(positive(parseDurationValue), null),
  currency: optional(parseCurrency, null),
  issuer: optional(parseAddress, null),
  accounts: optionalList(required(parseText)),
  from: optionalList(required(parseAddress)),
  destination_tag: optional(parseDestinationTag, null),
  cooldown: optional(parseDurationValue, 15 * 60_000),
  to: optionalList(required(parseEmailAddress)),
  notify: optionalList(required(sinkName)),
  labels: ruleLabels.nullish().transform((labels) => labels ?? null),
});

export const configSchema = mapping({
  xrpl: xrplSchema,
  // Required unless accounts_files gives accounts (a cross-check: the two are read together).
  accounts: list(accountSchema).nullish(),
  accounts_files: optionalList(required(parseText)),
  state: stateSchema.nullish(),
  verification: verificationSchema.nullish(),
  metrics: metricsSchema.nullish(),
  email: emailSchema.nullish(),
  alertmanager: alertmanagerSchema.nullish(),
  rules: z.array(ruleSchema).nullish(),
});

export type ConfigDocument = z.output<typeof configSchema>;

/**
 * The keys the mapping at `path` of the document accepts, read from the schema itself (so a key added
 * to it is known here too); null where the schema has no mapping. For "did you mean" hints.
 */
export function mappingKeysAt(path: readonly PropertyKey[]): string[] | null {
  let schema: z.core.$ZodType | undefined = configSchema;
  let depth = 0;
  while (schema !== undefined) {
    if (schema instanceof z.ZodPipe) {
      // mapping(): a check piped into the object; required(), optionalList(): a value piped into a transform.
      schema = schema.out instanceof z.ZodTransform ? schema.in : schema.out;
    } else if (schema instanceof z.ZodOptional || schema instanceof z.ZodNullable) {
      schema = schema.unwrap();
    } else if (depth === path.length) {
      return schema instanceof z.ZodObject ? Object.keys(schema.shape) : null;
    } else {
      const part = path[depth++];
      if (schema instanceof z.ZodObject && typeof part === 'string') schema = schema.shape[part];
      else if (schema instanceof z.ZodArray && typeof part === 'number') schema = schema.element;
      else return null;
    }
  }
  return null;
}
