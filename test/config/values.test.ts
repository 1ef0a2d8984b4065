import { describe, expect, test } from 'vitest';
import { formatDuration, parseDuration } from '../../src/config/duration.js';
import { substituteEnv } from '../../src/config/env.js';
import { parseCurrency } from '../../src/config/values.js';

describe('durations (Prometheus style)', () => {
  test.each([
    ['0', 0],
    ['500ms', 500],
    ['30s', 30_000],
    ['10m', 600_000],
    ['1h', 3_600_000],
    ['1h30m', 5_400_000],
    ['7d', 604_800_000],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['90m', 5_400_000],
  ])('%s = %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  test.each(['', '30 s', '30', '1.5h', '-1s', '1m1h', '1h1h', '10M', '1s500', 'ms', '99999999999999999999y'])(
    '%j is not a duration',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );

  test.each([
    [0, '0s'],
    [500, '500ms'],
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [604_800_000, '1w'],
    [86_400_000, '1d'],
    [93_784_005, '1d2h3m4s5ms'],
  ])('%i ms prints as %s and parses back', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });
});

describe('environment substitution', () => {
  const env = { HOST: 'smtp.example.com', EMPTY: '', PASS: 'p@ss}word' };
  test.each([
    ['${HOST}', 'smtp.example.com'],
    ['smtp://${HOST}:587', 'smtp://smtp.example.com:587'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${HOST:-fallback}', 'smtp.example.com'],
    ['${MISSING:-}', ''],
    ['${EMPTY}', ''],
    ['${PASS}', 'p@ss}word'],
    ['$${HOST}', '${HOST}'],
    ['cost $5 and $${literal}', 'cost $5 and ${literal}'],
    ['${HOST}${HOST}', 'smtp.example.comsmtp.example.com'],
    ['no references', 'no references'],
  ])('%s -> %s', (text, value) => {
    expect(substituteEnv(text, env)).toEqual({ ok: true, value });
  });

  test.each([
    ['${MISSING}', 'environment variable MISSING is not set (write ${MISSING:-default} for a default)'],
    ['a ${HOST', 'unterminated "${" (write "$${" for a literal "${")'],
    ['${}', 'invalid variable name in "${...}" (use letters, digits and _, not starting with a digit)'],
    ['${9X}', 'invalid variable name in "${...}" (use letters, digits and _, not starting with a digit)'],
  ])('%s fails', (text, error) => {
    expect(substituteEnv(text, env)).toEqual({ ok: false, error });
  });
});

describe('currency codes (protocol doc §2)', () => {
  test.each([
    ['XRP', 'XRP'],
    ['USD', 'USD'],
    ['xrp', 'xrp'], // case-sensitive: a token code, not XRP
    ['a?!', 'a?!'],
    ['524c555344000000000000000000000000000000', '524C555344000000000000000000000000000000'],
    ['03930D02208264E2E40EC1B0C09E4DB96EE197B1', '03930D02208264E2E40EC1B0C09E4DB96EE197B1'],
    ['00000001ad46d5de5b6ab6b06bd4bf4be2e2b2d2d0d0d0d0', '00000001AD46D5DE5B6AB6B06BD4BF4BE2E2B2D2D0D0D0D0'],
  ])('%s is accepted as %s', (input, value) => {
    expect(parseCurrency(input)).toEqual({ ok: true, value });
  });

  test.each([
    'US',
    'USDC',
    'U D',
    'U.D',
    '0000000000000000000000000000000000000000',
    '524C5553440000000000000000000000000000',
    '',
  ])('%j is refused', (input) => {
    expect(parseCurrency(input).ok).toBe(false);
  });
});
