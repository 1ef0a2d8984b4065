import { describe, expect, it } from 'vitest';
import { socketSubscription, subscribeRequest, subscriptionChanges } from '../src/exporter/reload.js';

describe('subscriptionChanges', () => {
  it.each([
    {
      name: 'the account diff, subscriptions first',
      before: { fullStream: false, accounts: ['rA', 'rB'] },
      after: { fullStream: false, accounts: ['rA', 'rC'] },
      changes: [
        { kind: 'subscribe', accounts: ['rC'] },
        { kind: 'unsubscribe', accounts: ['rB'] },
      ],
    },
    {
      name: 'into full-stream mode',
      before: { fullStream: false, accounts: ['rA'] },
      after: { fullStream: true, accounts: ['rA', 'rB'] },
      changes: [
        { kind: 'subscribe', stream: 'transactions' },
        { kind: 'unsubscribe', accounts: ['rA'] },
      ],
    },
    {
      name: 'out of full-stream mode',
      before: { fullStream: true, accounts: ['rA', 'rB'] },
      after: { fullStream: false, accounts: ['rA'] },
      changes: [
        { kind: 'subscribe', accounts: ['rA'] },
        { kind: 'unsubscribe', stream: 'transactions' },
      ],
    },
    {
      name: 'nothing in full-stream mode (filtering is local)',
      before: { fullStream: true, accounts: ['rA'] },
      after: { fullStream: true, accounts: ['rB'] },
      changes: [],
    },
  ])('$name', ({ before, after, changes }) => {
    expect(subscriptionChanges(before, after)).toEqual(changes);
  });
});

describe('socketSubscription and subscribeRequest', () => {
  it('watches accounts up to the threshold, the whole transactions stream above it', () => {
    expect(socketSubscription(['rA', 'rB'], 2)).toEqual({ fullStream: false, accounts: ['rA', 'rB'] });
    expect(socketSubscription(['rA', 'rB', 'rC'], 2)).toEqual({
      fullStream: true,
      accounts: ['rA', 'rB', 'rC'],
    });
  });

  it('subscribes the ledger stream with the accounts, or with the transactions stream and no accounts', () => {
    expect(subscribeRequest({ fullStream: false, accounts: ['rA'] })).toEqual({
      accounts: ['rA'],
      streams: ['ledger'],
    });
    expect(subscribeRequest({ fullStream: true, accounts: ['rA'] })).toEqual({
      accounts: [],
      streams: ['ledger', 'transactions'],
    });
  });
});
