import { describe, expect, it } from 'vitest';
import { NetworkGate, NetworkIdentity } from '../../src/verification/network.js';
import { capturingLogger, type LogEntry } from '../rippled/client-support.js';

describe('NetworkIdentity', () => {
  it.each([
    // configured, recorded, stated, refusal
    [0, null, 0, null],
    [0, null, 1, 'server reports network_id 1, xrpl.network_id is 0'],
    [0, 1, 0, null], // the configured network wins over a recorded one
    [null, 1, 0, 'server reports network_id 0, the network first seen (state file) is 1'],
    [null, null, 21338, null], // the first network seen is recorded
    [1, null, null, null], // a server that states no network is not contradicted
  ])('configured %s, recorded %s, server states %s: %s', (configured, recorded, stated, refusal) => {
    expect(new NetworkIdentity(configured, recorded).refusal(stated)).toBe(refusal);
  });
});

describe('NetworkGate', () => {
  function gate(configured: number | null, recorded: number | null = null) {
    const logs: LogEntry[] = [];
    const refusals: string[] = [];
    let saves = 0;
    const g = new NetworkGate({
      configured,
      recorded,
      onRefused: (server) => refusals.push(server),
      onRecorded: () => saves++,
      logger: capturingLogger(logs),
      display: (server) => server.replace('secret', '***'),
    });
    return { g, logs, refusals, saves: () => saves };
  }

  it('counts and logs a refusal once per episode, however often the server is judged meanwhile', () => {
    const { g, logs, refusals } = gate(0);
    const server = 'wss://u:secret@testnet.example';
    for (let i = 0; i < 5; i++)
      expect(g.judge(server, 1)).toBe('server reports network_id 1, xrpl.network_id is 0');
    expect(g.isRefused(server)).toBe(true);
    expect(refusals).toEqual([server]);
    expect(logs).toEqual([
      {
        level: 'error',
        msg: 'server refused: another network',
        fields: {
          server: 'wss://u:***@testnet.example',
          reason: 'server reports network_id 1, xrpl.network_id is 0',
        },
      },
    ]);
    // Stating no network does not end the episode; stating the right one does, and says so.
    expect(g.judge(server, null)).toBeNull();
    expect(g.isRefused(server)).toBe(true);
    expect(g.judge(server, 0)).toBeNull();
    expect(g.isRefused(server)).toBe(false);
    expect(logs.at(-1)).toMatchObject({
      level: 'info',
      msg: 'server accepted: it reports the expected network again',
    });
    // A new episode is counted again.
    g.judge(server, 1);
    expect(refusals).toEqual([server, server]);
  });

  it('without xrpl.network_id, records the first network stated (saved once) and refuses others', () => {
    const { g, saves, refusals } = gate(null);
    expect(g.judge('ws://a', null)).toBeNull();
    expect(g.recorded).toBeNull();
    expect(g.judge('ws://a', 1)).toBeNull();
    expect(g.judge('ws://a', 1)).toBeNull();
    expect(g.recorded).toBe(1);
    expect(saves()).toBe(1);
    expect(g.judge('ws://b', 0)).toBe(
      'server reports network_id 0, the network first seen (state file) is 1',
    );
    expect(refusals).toEqual(['ws://b']);
  });
});
