import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isValidClassicAddress } from 'ripple-address-codec';
import { describe, expect, it } from 'vitest';
import { buildDemoConfig, DEMO_ACCOUNTS, demoConfigYaml, loadDemoConfigFile } from '../../src/demo/config.js';

const URL = 'ws://127.0.0.1:6006';

describe('the demo configuration', () => {
  it('watches three named demo accounts with valid, distinct addresses', () => {
    expect(DEMO_ACCOUNTS.map((a) => a.name)).toEqual(['demo-merchant', 'demo-exchange', 'demo-treasury']);
    for (const a of DEMO_ACCOUNTS) expect(isValidClassicAddress(a.address)).toBe(true);
    expect(new Set(DEMO_ACCOUNTS.map((a) => a.address)).size).toBe(3);
  });

  it('is a valid config pointing at the simulated ledger, without state file, explorer or email', () => {
    const result = buildDemoConfig(URL, {});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.xrpl.servers).toEqual([URL]);
    expect(result.config.xrpl.explorerUrl).toBeNull();
    expect(result.config.state.path).toBeNull();
    expect(result.config.accounts.map((a) => [a.name, a.address])).toEqual(
      DEMO_ACCOUNTS.map((a) => [a.name, a.address]),
    );
    expect(result.config.email).toBeNull();
    expect(result.config.rules).toEqual([]);
  });

  it('emails through SMTP_HOST (port 1025 unless SMTP_PORT) with a payment and a total rule', () => {
    const result = buildDemoConfig(URL, { SMTP_HOST: 'mailpit' });
    expect(result.ok && result.config.email?.smtp).toMatchObject({
      host: 'mailpit',
      port: 1025,
      secure: false,
    });
    expect(result.ok && result.config.rules.map((r) => [r.name, r.kind])).toEqual([
      ['demo-large-xrp-payment', 'payment'],
      ['demo-merchant-xrp-inflow', 'total'],
    ]);
    const other = buildDemoConfig(URL, { SMTP_HOST: 'smtp.local', SMTP_PORT: '2525' });
    expect(other.ok && other.config.email?.smtp).toMatchObject({ host: 'smtp.local', port: 2525 });
    // The YAML keeps the references, so a printed config shows where the values come from.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a config reference, not a template
    expect(demoConfigYaml(URL, { SMTP_HOST: 'mailpit' })).toContain('host: ${SMTP_HOST}');
  });

  it('can be a user file instead, validated, with its servers replaced by the simulated ledger and no state file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-config-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(
      file,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a config reference, not a template
      'xrpl:\n  servers: ["wss://example.invalid"]\naccounts:\n  - address: ${ADDR}\n    name: mine\nstate:\n  path: ./state.json\n',
    );
    const loaded = await loadDemoConfigFile(file, URL, { ADDR: DEMO_ACCOUNTS[0]!.address });
    expect(loaded.ok ? loaded.config.xrpl.servers : loaded.errors).toEqual([URL]);
    expect(loaded.ok && loaded.config.accounts.map((a) => a.name)).toEqual(['mine']);
    expect(loaded.ok && loaded.config.state.path).toBeNull();
    writeFileSync(file, 'xrpl:\n  servers: []\naccounts: []\nbogus: 1\n');
    const bad = await loadDemoConfigFile(file, URL, {});
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors.join('\n')).toMatch(/bogus: unknown key/);
  });
});
