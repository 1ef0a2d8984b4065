import type { JsonObject } from './envelope.js';

/** At most this many memos, each cut to this many characters: memos are display text, not data. */
const MAX_MEMOS = 5;
const MAX_MEMO_CHARS = 1024;
const HEX = /^(?:[0-9A-Fa-f]{2})+$/;

/**
 * The `MemoData` of each memo, decoded from hex as UTF-8. Untrusted text from the ledger: whoever
 * shows it must escape it. Memos without valid hex data are skipped.
 */
export function decodeMemos(tx: JsonObject | null): string[] {
  const memos = tx?.Memos;
  if (!Array.isArray(memos)) return [];
  const out: string[] = [];
  for (const wrapper of memos.slice(0, MAX_MEMOS)) {
    const data = (wrapper as { Memo?: { MemoData?: unknown } } | null)?.Memo?.MemoData;
    if (typeof data !== 'string' || !HEX.test(data)) continue;
    out.push(
      Buffer.from(data.slice(0, MAX_MEMO_CHARS * 8), 'hex')
        .toString('utf8')
        .slice(0, MAX_MEMO_CHARS),
    );
  }
  return out;
}
