import { isValidClassicAddress } from 'ripple-address-codec';
import { isRecord } from '../json.js';
import { mptIssuer as issuerOfIssuance } from '../metrics/labels.js';

/**
 * Every field of type AccountID (STAccount) in ripple-binary-codec `definitions.json` FIELDS;
 * test/fake-rippled/affected-accounts.test.ts checks this copy against the installed definitions.
 */
export const ACCOUNT_ID_FIELDS: ReadonlySet<string> = new Set([
  'Account',
  'Owner',
  'Destination',
  'Issuer',
  'Authorize',
  'Unauthorize',
  'RegularKey',
  'NFTokenMinter',
  'EmitCallback',
  'Holder',
  'Delegate',
  'OtherChainSource',
  'OtherChainDestination',
  'AttestationSignerAccount',
  'AttestationRewardAccount',
  'LockingChainDoor',
  'IssuingChainDoor',
  'Subject',
  'Borrower',
  'Counterparty',
  'Sponsor',
  'HighSponsor',
  'LowSponsor',
  'CounterpartySponsor',
  'Sponsee',
]);

/** Amount fields whose issuer rippled adds to the affected set (TxMeta::getAffectedAccounts). */
const ISSUER_AMOUNT_FIELDS: ReadonlySet<string> = new Set([
  'LowLimit',
  'HighLimit',
  'TakerPays',
  'TakerGets',
]);

/** The all-zero AccountID: rippled skips zero issuers (`issuer.isNonZero()`). */
const ACCOUNT_ZERO = 'rrrrrrrrrrrrrrrrrrrrrhoLvTp';

/**
 * rippled's `TxMeta::getAffectedAccounts` over JSON metadata: for each affected node, every AccountID
 * field of `NewFields` (CreatedNode) or `FinalFields` (ModifiedNode, DeletedNode), the issuers of
 * LowLimit/HighLimit/TakerPays/TakerGets, and the issuer inside an MPTokenIssuanceID (its last 20 bytes,
 * after the 4-byte sequence). PreviousFields are ignored, exactly as rippled does, so e.g. a failed
 * Payment's Destination is not affected. Returns addresses in order of first appearance; never throws.
 */
export function getAffectedAccounts(meta: unknown): string[] {
  const found = new Set<string>();
  const nodes = isRecord(meta) && Array.isArray(meta.AffectedNodes) ? meta.AffectedNodes : [];
  for (const wrapper of nodes) {
    if (!isRecord(wrapper)) continue;
    const created = wrapper.CreatedNode;
    const node = isRecord(created) ? created : (wrapper.ModifiedNode ?? wrapper.DeletedNode);
    if (!isRecord(node)) continue;
    const fields = isRecord(created) ? node.NewFields : node.FinalFields;
    if (!isRecord(fields)) continue;
    for (const [name, value] of Object.entries(fields)) {
      if (ACCOUNT_ID_FIELDS.has(name)) {
        if (typeof value === 'string' && isAddress(value)) found.add(value);
      } else if (ISSUER_AMOUNT_FIELDS.has(name)) {
        const issuer = isRecord(value) ? value.issuer : undefined;
        if (typeof issuer === 'string' && issuer !== ACCOUNT_ZERO && isAddress(issuer)) {
          found.add(issuer);
        }
      } else if (name === 'MPTokenIssuanceID') {
        const issuer = mptIssuer(value);
        if (issuer) found.add(issuer);
      }
    }
  }
  return [...found];
}

/** The issuer encoded in a 192-bit MPTokenIssuanceID (4-byte sequence + 20-byte AccountID), or null. */
export function mptIssuer(issuanceId: unknown): string | null {
  return typeof issuanceId === 'string' ? issuerOfIssuance(issuanceId) || null : null;
}

/** Checksum checks cost two SHA-256 each; a history repeats the same few addresses thousands of times. */
const validity = new Map<string, boolean>();

function isAddress(value: string): boolean {
  let valid = validity.get(value);
  if (valid === undefined) {
    valid = isValidClassicAddress(value);
    if (validity.size < 1_000_000) validity.set(value, valid);
  }
  return valid;
}
