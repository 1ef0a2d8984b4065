import { encodeAccountID } from 'ripple-address-codec';
import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../src/cli.js';
import { inShard, shardOf } from '../src/shard.js';

describe('parseCommandLine', () => {
  it('defaults to run with the spec defaults', () => {
    const line = parseCommandLine([], {});
    expect(line).toMatchObject({
      kind: 'command',
      command: 'run',
      flags: {
        configFile: './config.yaml',
        listenAddress: ':29770',
        telemetryPath: '/metrics',
        webConfigFile: null,
        logLevel: 'info',
        logFormat: 'logfmt',
      },
    });
  });

  it('takes the config file from XRPL_EXPORTER_CONFIG unless the flag is given', () => {
    expect(parseCommandLine([], { XRPL_EXPORTER_CONFIG: '/etc/x.yaml' })).toMatchObject({
      flags: { configFile: '/etc/x.yaml', configFileGiven: true },
    });
    expect(parseCommandLine(['--config.file=a.yaml'], { XRPL_EXPORTER_CONFIG: 'b.yaml' })).toMatchObject({
      flags: { configFile: 'a.yaml' },
    });
  });

  it('treats --config.check as check-config', () => {
    expect(parseCommandLine(['--config.check'], {})).toMatchObject({ command: 'check-config' });
  });

  it('parses explain with repeated --account and a - for standard input', () => {
    expect(parseCommandLine(['explain', '--account', 'rA', '--account=rB', '-'], {})).toMatchObject({
      command: 'explain',
      args: ['-'],
      flags: { accounts: ['rA', 'rB'], allAccounts: false },
    });
  });

  it.each([
    [
      ['bogus'],
      'unknown command "bogus" (commands: run, check-config, explain, report, send-test-email, prometheus-rules)',
    ],
    [['--log.level=trace'], '--log.level: must be one of debug, info, warn, error, got "trace"'],
    [['--log.format=xml'], '--log.format: must be one of logfmt, json, got "xml"'],
    [['--web.telemetry-path=metrics'], '--web.telemetry-path: must start with / and not be /, got "metrics"'],
    [['explain'], 'explain: expected exactly one FILE argument (or - for standard input)'],
    [['--account=rA'], '--account only applies to explain and report'],
    [['check-config', '--all-accounts'], '--all-accounts only applies to explain'],
    [['explain', '--since=1000', 'x.json'], '--since only applies to report'],
    [['run', '--format=json'], '--format only applies to report'],
    [['report'], 'report: --since=DATE|LEDGER is required'],
    [['--bogus-flag'], 'unknown flag --bogus-flag'],
    [['explain', '--bogus-flag=3', '-'], 'unknown flag --bogus-flag'],
    [['-x'], 'unknown flag -x'],
    [['--config.file'], '--config.file needs a value (--config.file=VALUE)'],
    [['--config.file', '--log.level=debug'], '--config.file needs a value (--config.file=VALUE)'],
    [['explain', '--all-accounts=no', '-'], '--all-accounts takes no value'],
    [['--shard=3/3'], '--shard: expected I/N with 0 <= I < N, got "3/3"'],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(parseCommandLine(argv, {})).toEqual({ kind: 'error', message });
  });

  it('parses report: the period, the format and repeated --account', () => {
    const alice = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
    expect(
      parseCommandLine(
        ['report', '--since=2026-01-01', '--until=95000000', '--format=json', `--account=${alice}`],
        {},
      ),
    ).toMatchObject({
      command: 'report',
      flags: {
        accounts: [alice],
        report: {
          since: { kind: 'time', unixSeconds: Date.UTC(2026, 0, 1) / 1000, text: '2026-01-01' },
          until: { kind: 'ledger', index: 95000000 },
          format: 'json',
        },
      },
    });
    expect(parseCommandLine(['report', '--since=1'], {})).toMatchObject({
      flags: { report: { until: null, format: 'csv' } },
    });
  });

  it('takes a value that starts with a dash when it is written inline', () => {
    expect(parseCommandLine(['--config.file=-odd.yaml'], {})).toMatchObject({
      flags: { configFile: '-odd.yaml' },
    });
  });

  it('checks every flag against the command it is given to, whatever the order', () => {
    expect(parseCommandLine(['--all-accounts', 'explain', '-'], {})).toMatchObject({
      command: 'explain',
      flags: { allAccounts: true },
    });
    expect(parseCommandLine(['--account=rA', '--config.check'], {})).toEqual({
      kind: 'error',
      message: '--account only applies to explain and report',
    });
  });
});

describe('sharding', () => {
  const addresses = Array.from({ length: 2000 }, (_, i) => {
    const bytes = new Uint8Array(20);
    new DataView(bytes.buffer).setUint32(0, i * 2654435761);
    bytes[19] = i & 0xff;
    return encodeAccountID(bytes);
  });

  it.each([1, 2, 3, 7])('%i shards partition the accounts exactly', (count) => {
    const accounts = addresses.map((address) => ({ address }));
    const shards = Array.from({ length: count }, (_, index) => inShard(accounts, { index, count }));
    const union = shards.flat().map((a) => a.address);
    expect(union.sort()).toEqual([...addresses].sort());
    expect(new Set(union).size).toBe(addresses.length);
    for (const shard of shards) expect(shard.length).toBeGreaterThan(addresses.length / count / 2);
  });

  it('is stable across releases: replicas of different versions must agree on the partition', () => {
    // Pinned: the first 48 bits of SHA-256("rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe") modulo a large prime.
    expect(shardOf('rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe', 1_000_003)).toBe(976_740);
  });
});
