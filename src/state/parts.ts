import type { StateToSave } from './document.js';

/**
 * The owners of what survives a restart, each asked for its part when a write starts (a burst of saves
 * builds the state at most twice, see StateStore.save). A new persisted part is added here and in
 * PersistedState, not in the exporter.
 */
export interface StateOwners {
  readonly cursor: { readonly checkpoint: number | null };
  /** The live totals: the store re-serialises only the accounts that changed since the last write. */
  readonly totals: StateToSave['totals'];
  readonly dedupe: { snapshot(): unknown };
  readonly alerting: { snapshot(): { readonly outbox: unknown; readonly rules: unknown } };
  readonly history: { snapshot(): unknown };
  readonly verification: { snapshot(): unknown };
  readonly network: { readonly recorded: number | null };
}

/** The state file's content, taken from its owners now. */
export function stateToSave(owners: StateOwners): StateToSave {
  const alerting = owners.alerting.snapshot();
  return {
    version: 1,
    checkpoint: owners.cursor.checkpoint,
    totals: owners.totals,
    dedupe: owners.dedupe.snapshot(),
    outbox: alerting.outbox,
    rules: alerting.rules,
    history: owners.history.snapshot(),
    verification: owners.verification.snapshot(),
    networkId: owners.network.recorded,
  };
}
