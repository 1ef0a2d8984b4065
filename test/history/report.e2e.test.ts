import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../src/cli.js';
import { reportCommand } from '../../src/commands/report.js';
import { REPORT_COLUMNS } from '../../src/history/report.js';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { encodeStateFile } from '../../src/state/document.js';
import { type ConfigFile, configFile } from '../support/config-file.js';
import { loadFixture } from '../support/fixtures.js';
import { type CommandRun, runNode } from '../support/run-command.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const START = new Date('2026-01-01T00:00:00Z');

/** Fixture accounts, by the name the config gives them. */
const ACCOUNTS = {
  dest: 'rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt',
  'usd-holder': 'rLDYrujdKUfVx28T9vRDAbyJ7G2WVXKo4K',
  faucet: 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
  'self-payer': 'r9x5PHDiwuvbpYB3uvGAqEUVV5wxHayQEx',
  'nft-seller': 'rnp9DA6H2tLH7YFkgpjoVREB2yccYv56Sg',
  'nft-issuer': 'rpbjkoncKiv1LkPWShzZksqYPzKXmUhTW7',
  'mpt-holder': 'rw6UtpfBFaGht6SiC1HpDPNw6Yt25pKvnu',
  'xcoin-holder': 'rMQ4oGC8fasuJwfdrfknFTttDbf8cR3D2j',
  'amm-withdrawer': 'rUwaiErsYE5kibUUtaPczXZVVd73VNy4R9',
} as const;

/**
 * Ledgers 1001-1008 (ledger 1000 closes at START, then one every 4 s): an XRP payment with a destination
 * tag, a token payment, a partial XRP payment, a failed payment, an empty ledger, a brokered NFT sale
 * that pays two watched accounts, an MPT payment with a partial token payment (delivered amount below
 * `Amount`, 40-hex currency "xCoin") in one ledger, and an AMM withdrawal paying two assets.
 */
const LEDGERS: readonly (readonly string[])[] = [
  ['explorer/Payment/PaymentWithDestinationTag.json'],
  ['xrpl.js/utils/paymentToken.json'],
  ['xrpl.js/rippled/streams/partialPaymentTransaction.json'],
  ['explorer/Payment/PaymentWithConvert.json'],
  [],
  ['explorer/NFTokenAcceptOffer/NFTokenAcceptOffer_Broker.json'],
  ['explorer/Payment/PaymentMPT.json', 'explorer/Payment/PaymentWithPartial.json'],
  ['explorer/AMMWithdraw/withdraw.json'],
];

function startHistory(fake: FakeRippled): void {
  for (const files of LEDGERS) fake.addLedger(files.map((file) => loadFixture(file)));
}

function writeConfig(file: ConfigFile, servers: readonly string[], xrpl: readonly string[] = []): void {
  file.write([
    'xrpl:',
    `  servers: [${servers.map((s) => `"${s}"`).join(', ')}]`,
    ...xrpl.map((line) => `  ${line}`),
    '  request_timeout: 5s',
    'accounts:',
    ...Object.entries(ACCOUNTS).map(([name, address]) => `  - { address: ${address}, name: ${name} }`),
  ]);
}

function report(file: ConfigFile, args: readonly string[]): Promise<CommandRun> {
  return runNode([MAIN, 'report', `--config.file=${file.path}`, ...args], file.dir);
}

function csvRows(csv: string): Array<Record<string, string>> {
  const [header, ...lines] = csv.trimEnd().split('\n');
  const columns = header!.split(',');
  return lines.map((line) => Object.fromEntries(line.split(',').map((v, i) => [columns[i], v])));
}

describe('xrpl-payments-exporter report', () => {
  let full: FakeRippled;
  let recentOnly: FakeRippled;
  let file: ConfigFile;

  beforeAll(async () => {
    full = await FakeRippled.start({ startTime: START });
    recentOnly = await FakeRippled.start({ startTime: START });
    for (const fake of [full, recentOnly]) {
      startHistory(fake);
      await fake.publishAll();
    }
    // Like a server with online_delete: it answers for recent ledgers only.
    recentOnly.setHistoryStart(1006);
    file = configFile('report');
    writeConfig(file, [full.url]);
  });

  afterAll(async () => {
    await full?.close();
    await recentOnly?.close();
  });

  it('prints every receipt as CSV, oldest first, with exact values (golden file)', async () => {
    const run = await report(file, ['--since=2026-01-01T00:00:00Z']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    await expect(run.stdout).toMatchFileSnapshot('./__golden__/report.csv');
    const rows = csvRows(run.stdout);
    const ledgers = rows.map((r) => Number(r.ledger_index));
    expect(ledgers).toEqual([...ledgers].sort((a, b) => a - b));
    // The partial token payment counts what the metadata delivered, not the 0.001043 of `Amount`.
    expect(rows.find((r) => r.name === 'xcoin-holder')).toMatchObject({
      currency: 'xCoin',
      value: '0.001041958041958',
      partial: 'true',
    });
    // One transaction, two watched accounts credited.
    expect(rows.filter((r) => r.type === 'NFTokenAcceptOffer').map((r) => [r.name, r.value])).toEqual([
      ['nft-seller', '2325'],
      ['nft-issuer', '175'],
    ]);
    expect(rows.some((r) => r.name === 'self-payer')).toBe(false);
  });

  it('prints the same receipts as a JSON array with the same keys (golden file)', async () => {
    const [csv, json] = await Promise.all([
      report(file, ['--since=1000']),
      report(file, ['--since=1000', '--format=json']),
    ]);
    expect(json.code).toBe(0);
    await expect(json.stdout).toMatchFileSnapshot('./__golden__/report.json');
    const objects = JSON.parse(json.stdout) as Array<Record<string, unknown>>;
    expect(objects.map((o) => Object.keys(o).join(','))).toEqual(
      objects.map(() => csv.stdout.split('\n')[0]),
    );
    expect(objects.map((o) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v ?? ''])))).toEqual(
      csvRows(csv.stdout).map((r) => ({
        ...r,
        ledger_index: Number(r.ledger_index),
        destination_tag: r.destination_tag === '' ? '' : Number(r.destination_tag),
        partial: r.partial === 'true',
      })),
    );
  });

  it('a date range covers the ledgers closing in it: [since, until), so consecutive periods tile', async () => {
    // Ledger 1000 + n closes at START + 4n s: 12 s and 16 s fall in [10 s, 20 s).
    const run = await report(file, ['--since=2026-01-01T00:00:10Z', '--until=2026-01-01T00:00:20Z']);
    expect(run.code).toBe(0);
    expect(new Set(csvRows(run.stdout).map((r) => r.ledger_index))).toEqual(new Set(['1003']));
    const before = csvRows((await report(file, ['--since=1000', '--until=2026-01-01T00:00:10Z'])).stdout);
    const after = csvRows((await report(file, ['--since=2026-01-01T00:00:20Z'])).stdout);
    const all = csvRows((await report(file, ['--since=1000'])).stdout);
    expect(before.length + 1 + after.length).toBe(all.length);
  });

  it('--account and a ledger --until narrow the report; an unconfigured account is named by its address', async () => {
    const run = await report(file, [
      `--account=${ACCOUNTS.faucet}`,
      '--account=rPEPPER7kfTD9w2To4CQk6UCfuHM9c6GDY',
      '--since=1000',
      '--until=1003',
    ]);
    expect(run.code).toBe(0);
    expect(csvRows(run.stdout).map((r) => [r.ledger_index, r.name, r.value, r.partial])).toEqual([
      ['1003', 'faucet', '0.004456', 'true'],
    ]);
  });

  it('fails over to a server that holds the range, marker page by page', async () => {
    const mixed = configFile('report-failover');
    writeConfig(mixed, [recentOnly.url, full.url]);
    const [expected, run] = await Promise.all([
      report(file, ['--since=1000']),
      report(mixed, ['--since=1000']),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(expected.stdout);
  });

  it('exits 1 with one line on stderr and nothing on stdout when no server holds the range', async () => {
    const recent = configFile('report-recent');
    writeConfig(recent, [recentOnly.url]);
    for (const since of ['1000', '2026-01-01T00:00:05Z']) {
      const run = await report(recent, [`--since=${since}`]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^report: [^\n]+\n$/);
    }
    // The same range read from the full server works: the failure is about the range, not the flags.
    expect((await report(recent, ['--since=1006'])).code).toBe(0);
  });

  it('never reads from a server of another network: exits 1 with one line when only such a server holds the range', async () => {
    const testnet = await FakeRippled.start({ startTime: START, networkId: 1 });
    try {
      startHistory(testnet);
      await testnet.publishAll();
      const configured = configFile('report-network-configured');
      writeConfig(configured, [recentOnly.url, testnet.url], ['network_id: 0']);
      // Without xrpl.network_id, the first network a server states is the one the others must agree with.
      const firstSeen = configFile('report-network-first-seen');
      writeConfig(firstSeen, [recentOnly.url, testnet.url]);
      for (const file of [configured, firstSeen]) {
        const run = await report(file, ['--since=1000']);
        expect(run.stdout).toBe('');
        expect(run.stderr).toMatch(
          /^report: [^\n]*refused: server reports network_id 1, [^\n]+ is 0[^\n]*\n$/,
        );
        expect(run.code).toBe(1);
      }
      // What the right network's server holds is still read.
      expect((await report(configured, ['--since=1006'])).code).toBe(0);
      // Without xrpl.network_id but with the exporter's state file, the network it recorded is the one:
      // a server of another network first in the list is refused, not taken as the first one seen.
      const recorded = configFile('report-network-recorded');
      writeConfig(recorded, [testnet.url, recentOnly.url]);
      writeFileSync(recorded.path, `${readFileSync(recorded.path, 'utf8')}state:\n  path: ./state.json\n`);
      const totals = { version: 1 as const, paymentSizeBucketsXrp: [1], seq: 0, accounts: {} };
      const state = encodeStateFile({
        version: 1,
        checkpoint: 1008,
        totals,
        dedupe: [],
        outbox: null,
        rules: null,
        networkId: 0,
      });
      writeFileSync(join(recorded.dir, 'state.json'), state);
      const run = await report(recorded, ['--since=1000']);
      expect(run.stderr).toMatch(
        /^report: [^\n]*refused: server reports network_id 1, the network first seen \(state file\) is 0/,
      );
      expect(run.code).toBe(1);
      expect((await report(recorded, ['--since=1006'])).code).toBe(0);
    } finally {
      await testnet.close();
    }
  });

  it('exits 1 when the period has not ended yet, rather than print a report that looks complete', async () => {
    const run = await report(file, ['--since=1000', '--until=2030-01-01']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^report: history until 2030-01-01 is not complete yet[^\n]*\n$/);
  });

  it.each([
    // Ledger 1008 is the newest validated one; it closes at START + 32 s.
    [
      '1009',
      /^report: no history since ledger 1009 yet: ledger 1009 is not validated \(newest validated ledger: 1008\)\n$/,
    ],
    [
      '2026-01-01T00:00:33Z',
      /^report: no history since 2026-01-01T00:00:33Z yet: a ledger closing at or after 2026-01-01T00:00:33Z is not validated \(newest validated ledger: 1008\)\n$/,
    ],
    ['2030-01-01', /^report: no history since 2030-01-01 yet: [^\n]+\n$/],
  ])(
    'exits 1 when --since=%s is after the newest validated ledger, rather than print an empty report',
    async (since, message) => {
      const run = await report(file, [`--since=${since}`]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    },
  );

  it.each([
    [
      ['--since=1005', '--until=2026-01-01T00:00:10Z'],
      /--since ledger 1005 \(ledger 1005\) is not before --until 2026-01-01T00:00:10Z \(ledger 1002\)/,
    ],
    [
      ['--since=2026-01-01T00:00:20Z', '--until=1004'],
      /--since 2026-01-01T00:00:20Z \(ledger 1005\) is not before --until ledger 1004 \(ledger 1004\)/,
    ],
  ])(
    'exits 2 with one line when a ledger and a time turn out to name an empty period %j',
    async (args, message) => {
      const run = await report(file, args);
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^report: [^\n]+\n$/);
      expect(run.stderr).toMatch(message);
    },
  );

  it('a time period in which no ledger closed is empty, and complete', async () => {
    // Ledgers 1003 and 1004 close at START + 12 s and 16 s: none in [13 s, 15 s).
    const run = await report(file, ['--since=2026-01-01T00:00:13Z', '--until=2026-01-01T00:00:15Z']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${REPORT_COLUMNS.join(',')}\n`);
  });

  it.each([
    [[], /--since=DATE\|LEDGER is required/],
    [['--since=1001', '--until=1000'], /--until \(1000\) is before --since \(1001\)/],
    [
      ['--since=2026-01-01T00:00:10Z', '--until=2026-01-01T00:00:10Z'],
      /--until \(2026-01-01T00:00:10Z\) is not after --since \(2026-01-01T00:00:10Z\): the period is empty/,
    ],
    [['--since=yesterday'], /--since: expected a ledger index or an ISO 8601 date-time/],
    [['--since=1000', '--format=xml'], /--format: must be csv or json, got "xml"/],
    [['--since=2026-02-01', '--until=2026-01-01'], /--until \(2026-01-01\) is before --since/],
    [['--since=1000', '--account=rNOTANADDRESS'], /--account: invalid XRP Ledger address/],
    [['--since=2026-01-01T10:00'], /expected a ledger index or an ISO 8601 date-time/],
    [['--since=2026-02-30'], /is not a valid date-time/],
    [['--since=1000', '--bogus'], /bogus/],
  ])('exits 2 on bad flags %j', async (args, message) => {
    const run = await report(file, args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(message);
  });

  it('draws a progress bar on stderr only when stderr is a terminal', async () => {
    const line = parseCommandLine(['report', `--config.file=${file.path}`, '--since=1000'], {});
    if (line.kind !== 'command') throw new Error('unexpected parse');
    const runWith = async (stderrIsTTY: boolean) => {
      let stdout = '';
      let stderr = '';
      const code = await reportCommand(line.flags, {
        env: {},
        stdout: (text) => {
          stdout += text;
        },
        stderr: (text) => {
          stderr += text;
        },
        readStdin: async () => '',
        stderrIsTTY,
      });
      return { code, stdout, stderr };
    };
    const terminal = await runWith(true);
    const piped = await runWith(false);
    expect(terminal.code).toBe(0);
    expect(terminal.stdout).toBe(piped.stdout);
    expect(terminal.stderr).toMatch(/^\r\[[#-]{30}\] +\d+% {2}ledgers \d+\/\d+/);
    expect(terminal.stderr).toContain('100%');
    expect(terminal.stderr.endsWith('\r\u001b[2K')).toBe(true);
    expect(piped.stderr).toBe('');
  });
});
