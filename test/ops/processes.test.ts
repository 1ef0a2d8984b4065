import { describe, expect, it } from 'vitest';
import { listeningAddress, prometheusListeningAddress } from '../support/processes.js';

describe('listeningAddress', () => {
  it.each([
    [
      'logfmt',
      'ts=2026-11-26T12:00:00Z level=info msg=listening address=127.0.0.1:41234\n',
      '127.0.0.1:41234',
    ],
    ['logfmt, quoted', 'level=info msg="listening" address="[::1]:5000"\n', '[::1]:5000'],
    ['json', '{"ts":"x","level":"info","msg":"listening","address":"127.0.0.1:3999"}\n', '127.0.0.1:3999'],
    [
      'another line first',
      'msg=starting address=ignored:1\nmsg=listening address=127.0.0.1:8\n',
      '127.0.0.1:8',
    ],
    ['nothing yet', 'msg=starting\n', undefined],
  ])('reads the %s form', (_name, log, expected) => {
    expect(listeningAddress(log)).toBe(expected);
  });
});

describe('prometheusListeningAddress', () => {
  it('takes the bound address, not the configured :0', () => {
    const log = [
      'level=info component=web msg="Start listening for connections" address=127.0.0.1:0',
      'level=info component=web msg="Listening on" address=127.0.0.1:46281',
    ].join('\n');
    expect(prometheusListeningAddress(log)).toBe('127.0.0.1:46281');
    expect(prometheusListeningAddress(log.split('\n')[0]!)).toBeUndefined();
  });
});
