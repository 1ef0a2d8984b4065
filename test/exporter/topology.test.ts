import { describe, expect, it } from 'vitest';
import { type Config, formatConfigErrors, parseConfig } from '../../src/config/index.js';
import { readableServers } from '../../src/exporter/servers.js';
import { metricsTopology } from '../../src/exporter/topology.js';

const FAUCET = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';
const GENESIS = 'rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh';

function config(yaml: string): Config {
  const result = parseConfig(yaml, {});
  if (!result.ok) throw new Error(formatConfigErrors(result.errors));
  return result.config;
}

describe('metricsTopology', () => {
  const cfg = config(`
xrpl:
  servers: [wss://ops:hunter2@a.example:51233, wss://b.example:51233, 'wss://c.example/?api_key=k3yk3y']
accounts:
  - { address: ${FAUCET}, name: faucet, group: test }
  - { address: ${GENESIS}, group: test }
metrics:
  aggregate_by: group
  payment_size_buckets_xrp: [1, 1000]
email:
  smtp: {host: smtp.example.com}
  from: alerts@example.com
  to: [ops@example.com]
alertmanager:
  urls: [http://am:s3cret@am.example:9093]
rules:
  - { name: both, kind: payment, threshold: 1, currency: XRP }
  - { name: mail, kind: payment, threshold: 1, currency: XRP, notify: [email] }
  - { name: am, kind: silence, window: 1h, notify: [alertmanager] }
`);

  it('names the rules per sink, masks the passwords in URLs and keeps the given accounts', () => {
    const accounts = cfg.accounts.slice(1);
    const topology = metricsTopology(cfg, accounts);
    expect(topology.accounts).toBe(accounts);
    expect(topology.rules).toEqual(['both', 'mail']);
    expect(topology.alertmanagerRules).toEqual(['both', 'am']);
    expect(topology.servers).toHaveLength(3);
    expect(topology.servers[1]).toBe('wss://b.example:51233');
    expect(topology.alertmanagerUrls).toHaveLength(1);
    for (const url of [...topology.servers, ...(topology.alertmanagerUrls ?? [])]) {
      expect(url).not.toMatch(/hunter2|s3cret|k3yk3y/);
    }
    expect(topology.paymentSizeBucketsXrp).toEqual([1, 1000]);
    expect(topology.aggregateBy).toBe('group');
  });

  it('has no alertmanager URLs without alertmanager', () => {
    const plain = config(`
xrpl:
  servers: [wss://a.example]
accounts:
  - address: ${FAUCET}
`);
    expect(metricsTopology(plain, plain.accounts)).toMatchObject({
      rules: [],
      alertmanagerRules: [],
      alertmanagerUrls: [],
    });
  });
});

describe('readableServers', () => {
  const servers = ['wss://a', 'wss://b', 'wss://c'];

  it('leaves out the servers of another network, in configured order', () => {
    expect(readableServers(servers, (url) => url === 'wss://b')).toEqual(['wss://a', 'wss://c']);
  });

  it('keeps the configured list when every server is refused', () => {
    expect(readableServers(servers, () => true)).toEqual(servers);
  });
});
