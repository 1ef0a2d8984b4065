import { fixtureTx, type HistoryEntry } from './history.js';

/** A real 20 XRP payment (dev portal, subscribe.md); its Destination is mapped onto WATCHED. */
const PAYMENT = 'xrpl-dev-portal/extracted/subscribe.md-transaction-stream-v2-payment.json';
const DESTINATION = 'rfdGuuVnq9juqWDV4W3LoLiNcW8g2hAXhN';

/** The account the payments go to. */
export const WATCHED = 'rPT1Sjq2YGrBMTttX4GZHjKu9dyfzbpAYe';

/** The hash of payment `n`: n in hex, 64 digits. */
export const h = (n: number): string => n.toString(16).toUpperCase().padStart(64, '0');

/** Payment `n`: 20 XRP to WATCHED, with hash h(n). */
export const payment = (n: number): HistoryEntry =>
  fixtureTx(PAYMENT, { map: { [DESTINATION]: WATCHED }, hash: h(n) });
