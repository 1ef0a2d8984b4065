import { describe, expect, it } from 'vitest';
import { analyzeTransaction } from '../../src/accounting/index.js';
import { loadFixture } from '../support/fixtures.js';

const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex').toUpperCase();

describe('memos', () => {
  const message = loadFixture(
    'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json',
  ) as {
    tx_json: Record<string, unknown>;
  };

  it('decodes the MemoData of a counted transaction as UTF-8, skipping memos without hex data', () => {
    const withMemos = structuredClone(message);
    withMemos.tx_json.Memos = [
      { Memo: { MemoData: hex('<script>alert(1)</script>'), MemoType: hex('text/plain') } },
      { Memo: { MemoType: hex('no data') } },
      { Memo: { MemoData: 'not hex!' } },
      { Memo: { MemoData: hex('invoice 42 – ok') } },
    ];
    const analysis = analyzeTransaction(withMemos, new Set(['rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN']));
    expect(analysis.accounts[0]?.counted).toBe(true);
    expect(analysis.memos).toEqual(['<script>alert(1)</script>', 'invoice 42 – ok']);
  });

  it('skips the work when nothing is counted', () => {
    const withMemos = structuredClone(message);
    withMemos.tx_json.Memos = [{ Memo: { MemoData: hex('hello') } }];
    expect(analyzeTransaction(withMemos, new Set(['rH3PxjJPrrkvsATddBXkayjAyWR8xigaE8'])).memos).toEqual([]);
  });
});
