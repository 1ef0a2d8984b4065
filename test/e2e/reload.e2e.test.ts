import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeRippled } from '../../src/simulator/fake-rippled.js';
import { configFile, watcherYaml } from '../support/config-file.js';
import { parseExposition, sampleValue } from '../support/exposition.js';
import { type FakeSmtp, startFakeSmtp } from '../support/fake-smtp.js';
import { createRng, scenario, testAccounts } from '../support/history.js';
import { type RunningProcess, startExporter, waitFor } from '../support/processes.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Built by `npm test`'s pretest step (npm run build).
const MAIN = join(ROOT, 'dist/main.js');
const PAYMENT = 'explorer/Payment/PaymentWithDestinationTag.json';
const PAYMENT_DESTINATION = 'rHWcuuZoFvDS6gNbmHSdpb7u1hZzxvCoMt';

describe('hot reload', () => {
  let fake: FakeRippled;
  let exporter: RunningProcess | null = null;
  afterEach(async () => {
    await exporter?.stop();
    await fake?.close();
  });

  it('applies a valid config live on SIGHUP and keeps the running one when the new one is invalid', async () => {
    const [alice, bob, carol] = testAccounts(3, createRng(11)) as [string, string, string];
    fake = await FakeRippled.start();
    const dir = mkdtempSync(join(tmpdir(), 'xrpl-reload-'));
    const config = join(dir, 'config.yaml');
    const writeConfig = (accounts: Array<[string, string]>, extra = '') =>
      writeFileSync(
        config,
        [
          'xrpl:',
          `  servers: ["${fake.url}"]`,
          'accounts:',
          ...accounts.map(([address, name]) => `  - { address: ${address}, name: ${name} }`),
          extra,
        ].join('\n'),
      );
    writeConfig([
      [alice, 'alice'],
      [carol, 'carol'],
    ]);
    const started = await startExporter(MAIN, [`--config.file=${config}`], dir, 15_000);
    exporter = started.process;
    const base = `http://${started.address}`;
    const scrape = async () => parseExposition(await (await fetch(`${base}/metrics`)).text());
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);

    const hashes = createRng(12);
    const payTo = async (alias: 'alice' | 'bob') => {
      const history = scenario(
        { alice, bob },
        [[{ fixture: PAYMENT, map: { [PAYMENT_DESTINATION]: alias } }]],
        hashes,
      );
      fake.addLedgers(history.ledgers);
      fake.addLedger([]);
      await fake.publishAll();
    };
    const received = async (name: string) =>
      sampleValue(await scrape(), 'xrpl_received_amount_total', { name, currency: 'XRP' });

    await payTo('alice');
    await waitFor(
      'alice paid',
      async () => ((await received('alice')) === 1531.267 ? true : undefined),
      10_000,
    );

    // Valid reload: bob added, carol removed, alice kept with her totals.
    writeConfig([
      [alice, 'alice'],
      [bob, 'bob'],
    ]);
    exporter.child.kill('SIGHUP');
    const subscribed = await waitFor(
      'bob subscribed on the live socket',
      () => (fake.subscribedAccounts().has(bob) && !fake.subscribedAccounts().has(carol) ? true : undefined),
      10_000,
    );
    expect(subscribed).toBe(true);
    expect(fake.connectionCount).toBe(1);
    const afterReload = await waitFor(
      'the reloaded series',
      async () => {
        const s = await scrape();
        return sampleValue(s, 'xrpl_watched_accounts') === 2 ? s : undefined;
      },
      10_000,
    );
    expect(sampleValue(afterReload, 'xrpl_received_amount_total', { name: 'bob', currency: 'XRP' })).toBe(0);
    expect(sampleValue(afterReload, 'xrpl_received_amount_total', { name: 'alice', currency: 'XRP' })).toBe(
      1531.267,
    );
    expect(
      sampleValue(afterReload, 'xrpl_received_amount_total', { name: 'carol', currency: 'XRP' }),
    ).toBeUndefined();
    expect(sampleValue(afterReload, 'xrpl_exporter_config_last_reload_successful')).toBe(1);

    await payTo('bob');
    await waitFor('bob paid', async () => ((await received('bob')) === 1531.267 ? true : undefined), 10_000);

    // Invalid reload over HTTP: 500 with the errors, the metric says so, the running config stays.
    writeConfig([[alice, 'alice']], 'bogus_key: 1\n');
    expect((await fetch(`${base}/-/reload`)).status).toBe(405);
    const failed = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain('bogus_key: unknown key');
    const afterFailure = await scrape();
    expect(sampleValue(afterFailure, 'xrpl_exporter_config_last_reload_successful')).toBe(0);
    expect(sampleValue(afterFailure, 'xrpl_watched_accounts')).toBe(2);
    expect(exporter.output()).toMatch(/config reload failed.*bogus_key: unknown key/);

    await payTo('bob');
    await waitFor(
      'bob still watched',
      async () => ((await received('bob')) === 3062.534 ? true : undefined),
      10_000,
    );

    // A valid config over HTTP restores the metric.
    writeConfig([
      [alice, 'alice'],
      [bob, 'bob'],
    ]);
    expect((await fetch(`${base}/-/reload`, { method: 'POST' })).status).toBe(200);
    expect(sampleValue(await scrape(), 'xrpl_exporter_config_last_reload_successful')).toBe(1);
  });
});

describe('hot reload of keys that need a restart', () => {
  let fake: FakeRippled;
  let exporter: RunningProcess | null = null;
  afterEach(async () => {
    await exporter?.stop();
    await fake?.close();
  });

  it('names xrpl.network_id and verification.interval as needing a restart, and keeps them as they were', async () => {
    const [alice] = testAccounts(1, createRng(21)) as [string];
    fake = await FakeRippled.start({ networkId: 0 });
    const dir = mkdtempSync(join(tmpdir(), 'xrpl-reload-restart-'));
    const config = join(dir, 'config.yaml');
    const writeConfig = (networkId: number, interval: string) =>
      writeFileSync(
        config,
        [
          'xrpl:',
          `  servers: ["${fake.url}"]`,
          `  network_id: ${networkId}`,
          'accounts:',
          `  - { address: ${alice}, name: alice }`,
          'verification:',
          `  interval: ${interval}`,
        ].join('\n'),
      );
    writeConfig(0, '1h');
    const started = await startExporter(MAIN, [`--config.file=${config}`], dir, 15_000);
    exporter = started.process;
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);

    writeConfig(1, '1s');
    const reloaded = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(reloaded.status).toBe(200);
    expect(await reloaded.text()).toBe(
      'config reloaded; changed keys that need a restart to take effect: xrpl.network_id, verification.interval\n',
    );
    expect(exporter.output()).toMatch(
      /config keys changed that need a restart to take effect.*keys="?xrpl.network_id,verification.interval/,
    );
    // Still network 0 until a restart: the server is not refused, and its payments are counted.
    const history = scenario(
      { alice },
      [[{ fixture: PAYMENT, map: { [PAYMENT_DESTINATION]: 'alice' } }]],
      createRng(22),
    );
    fake.addLedgers(history.ledgers);
    fake.addLedger([]);
    await fake.publishAll();
    const samples = await waitFor(
      'alice paid',
      async () => {
        const s = parseExposition(await (await fetch(`${base}/metrics`)).text());
        return sampleValue(s, 'xrpl_received_amount_total', { name: 'alice', currency: 'XRP' }) === 1531.267
          ? s
          : undefined;
      },
      10_000,
    );
    expect(sampleValue(samples, 'xrpl_exporter_config_last_reload_successful')).toBe(1);
    expect(samples.some((s) => s.name === 'xrpl_servers_refused_total')).toBe(false);
    // An unchanged reload says nothing about restarts.
    writeConfig(0, '1h');
    const unchanged = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(await unchanged.text()).toBe('');
  });
});

describe('hot reload of accounts_files', () => {
  let fake: FakeRippled;
  let exporter: RunningProcess | null = null;
  afterEach(async () => {
    await exporter?.stop();
    await fake?.close();
  });

  it('re-reads the CSV next to the config and applies the account diff on the live socket', async () => {
    const [alice, bob, carol] = testAccounts(3, createRng(21)) as [string, string, string];
    fake = await FakeRippled.start();
    const dir = mkdtempSync(join(tmpdir(), 'xrpl-reload-csv-'));
    const config = join(dir, 'config.yaml');
    // Relative to the config file's folder, not to the exporter's working directory (ROOT below).
    writeFileSync(
      config,
      ['xrpl:', `  servers: ["${fake.url}"]`, 'accounts_files: [deposits.csv]', ''].join('\n'),
    );
    const writeCsv = (rows: readonly string[]) =>
      writeFileSync(join(dir, 'deposits.csv'), `address,name\r\n${rows.join('\r\n')}\r\n`);
    writeCsv([`${alice},alice`, `${carol},carol`]);
    const started = await startExporter(MAIN, [`--config.file=${config}`], ROOT, 15_000);
    exporter = started.process;
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);
    expect(fake.subscribedAccounts()).toEqual(new Set([alice, carol]));

    writeCsv([`${alice},alice`, `${bob},bob`]);
    exporter.child.kill('SIGHUP');
    await waitFor(
      'bob subscribed and carol unsubscribed on the live socket',
      () => (fake.subscribedAccounts().has(bob) && !fake.subscribedAccounts().has(carol) ? true : undefined),
      10_000,
    );
    expect(fake.connectionCount).toBe(1);
    const series = parseExposition(await (await fetch(`${base}/metrics`)).text());
    expect(sampleValue(series, 'xrpl_received_amount_total', { name: 'bob', currency: 'XRP' })).toBe(0);

    // A bad row: the reload fails naming file and line, and the running accounts stay.
    const badBob = `${bob.slice(0, -1)}${bob.endsWith('a') ? 'b' : 'a'}`;
    writeCsv([`${alice},alice`, `${badBob},bob`]);
    const failed = await fetch(`${base}/-/reload`, { method: 'POST' });
    expect(failed.status).toBe(500);
    expect(await failed.text()).toContain(`deposits.csv:3: `);
    expect(fake.subscribedAccounts()).toEqual(new Set([alice, bob]));
  });
});

describe('hot reload of rules and SMTP settings', () => {
  let fake: FakeRippled;
  let exporter: RunningProcess | null = null;
  const smtps: FakeSmtp[] = [];
  afterEach(async () => {
    await exporter?.stop();
    await fake?.close();
    for (const smtp of smtps.splice(0)) await smtp.close();
  });

  it('starts sending to a new rule and a new SMTP server without a restart, keeping the totals', async () => {
    const [alice] = testAccounts(1, createRng(13)) as [string];
    fake = await FakeRippled.start();
    const first = await startFakeSmtp();
    const second = await startFakeSmtp();
    smtps.push(first, second);
    const dir = mkdtempSync(join(tmpdir(), 'xrpl-reload-rules-'));
    const config = join(dir, 'config.yaml');
    const writeConfig = (smtpPort: number, threshold: number) =>
      writeFileSync(
        config,
        [
          'xrpl:',
          `  servers: ["${fake.url}"]`,
          'accounts:',
          `  - { address: ${alice}, name: alice }`,
          'email:',
          `  smtp: { host: 127.0.0.1, port: ${smtpPort} }`,
          '  from: alerts@example.test',
          '  to: [ops@example.test]',
          'rules:',
          `  - { name: big-xrp, kind: payment, currency: XRP, threshold: ${threshold} }`,
          '',
        ].join('\n'),
      );
    writeConfig(first.port, 1_000_000);
    const started = await startExporter(MAIN, [`--config.file=${config}`], dir, 15_000);
    exporter = started.process;
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);
    const hashes = createRng(14);
    const payAlice = async () => {
      const history = scenario(
        { alice },
        [[{ fixture: PAYMENT, map: { [PAYMENT_DESTINATION]: 'alice' } }]],
        hashes,
      );
      fake.addLedgers(history.ledgers);
      fake.addLedger([]);
      await fake.publishAll();
    };
    const received = async () =>
      sampleValue(
        parseExposition(await (await fetch(`${base}/metrics`)).text()),
        'xrpl_received_amount_total',
        {
          name: 'alice',
          currency: 'XRP',
        },
      );

    await payAlice(); // below the first threshold: no email
    await waitFor('first payment', async () => ((await received()) === 1531.267 ? true : undefined), 10_000);

    writeConfig(second.port, 1000);
    expect((await fetch(`${base}/-/reload`, { method: 'POST' })).status).toBe(200);
    await payAlice();
    await second.waitForMessages(1, 15_000);
    expect(second.messages[0]!.parsed.subject).toBe('[XRPL] big-xrp: 1531.267 XRP received by alice');
    expect(first.messages).toHaveLength(0);
    expect(await received()).toBe(3062.534);
  });
});

describe('hot reload of --web.config.file', () => {
  let exporter: RunningProcess | null = null;
  afterEach(async () => {
    await exporter?.stop();
  });

  it('re-reads the basic auth users on SIGHUP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'xrpl-reload-web-'));
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'xrpl:',
        '  servers: ["ws://127.0.0.1:1"]',
        'accounts:',
        '  - address: rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe',
        '',
      ].join('\n'),
    );
    const web = join(dir, 'web.yml');
    const users = (password: string) =>
      writeFileSync(web, `basic_auth_users:\n  prometheus: ${bcrypt.hashSync(password, 4)}\n`);
    users('first-password');
    const started = await startExporter(
      MAIN,
      [`--config.file=${config}`, `--web.config.file=${web}`],
      dir,
      15_000,
    );
    exporter = started.process;
    const status = (password: string) =>
      fetch(`http://${started.address}/-/healthy`, {
        headers: { authorization: `Basic ${Buffer.from(`prometheus:${password}`).toString('base64')}` },
      }).then((r) => r.status);
    expect(await status('first-password')).toBe(200);
    users('second-password');
    exporter.child.kill('SIGHUP');
    await waitFor(
      'the new password',
      async () => ((await status('second-password')) === 200 ? true : undefined),
      10_000,
    );
    expect(await status('first-password')).toBe(401);
    expect(exporter.output()).not.toContain('second-password');
  });
});

describe('hot reload across xrpl.full_stream_threshold', () => {
  let fake: FakeRippled;
  let exporter: RunningProcess | null = null;
  afterEach(async () => {
    await exporter?.stop();
    await fake?.close();
  });

  it('switches the live socket to the transactions stream and counts the new account', async () => {
    const [alice, bob] = testAccounts(2, createRng(15)) as [string, string];
    fake = await FakeRippled.start();
    const config = configFile('reload-stream');
    const write = (accounts: Record<string, string>) =>
      config.write(watcherYaml([fake.url], accounts, ['full_stream_threshold: 1']));
    write({ alice });
    const started = await startExporter(MAIN, [`--config.file=${config.path}`], config.dir, 15_000);
    exporter = started.process;
    const base = `http://${started.address}`;
    await waitFor('ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), 15_000);
    expect(fake.requests.find((r) => r.command === 'subscribe')?.params.accounts).toEqual([alice]);

    write({ alice, bob });
    exporter.child.kill('SIGHUP');
    await waitFor(
      'the transactions stream',
      () =>
        fake.requests.some(
          (r) => r.command === 'subscribe' && JSON.stringify(r.params.streams) === '["transactions"]',
        )
          ? true
          : undefined,
      10_000,
    );
    const history = scenario(
      { bob },
      [[{ fixture: PAYMENT, map: { [PAYMENT_DESTINATION]: 'bob' } }]],
      createRng(16),
    );
    fake.addLedgers(history.ledgers);
    fake.addLedger([]);
    await fake.publishAll();
    await waitFor(
      'bob paid',
      async () =>
        sampleValue(
          parseExposition(await (await fetch(`${base}/metrics`)).text()),
          'xrpl_received_amount_total',
          {
            name: 'bob',
            currency: 'XRP',
          },
        ) === 1531.267
          ? true
          : undefined,
      10_000,
    );
  });
});
