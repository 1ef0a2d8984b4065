/**
 * Self-verification: proves each watched account's transaction thread complete from the ledger's own
 * threading (PreviousTxnID / PreviousTxnLgrSeq), and repairs breaks (docs/verification.md).
 */
export { type EntryTouch, entryTouches, WatchIndex } from './links.js';
export { NetworkGate, NetworkIdentity } from './network.js';
export { type Break, ThreadBook } from './thread-book.js';
export { type AccountVerificationStatus, Verifier } from './verifier.js';
