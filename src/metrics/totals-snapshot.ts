import { z } from 'zod';

/** An exact decimal string as big.js `toFixed()` writes it: no exponent, no float noise. */
const decimal = z.string().regex(/^-?\d+(\.\d+)?$/, 'expected an exact decimal string');
const nonNegativeDecimal = z.string().regex(/^\d+(\.\d+)?$/, 'expected a non-negative exact decimal string');
const count = z.number().int().nonnegative();

const assetSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('xrp') }),
  z.strictObject({ kind: z.literal('token'), currency: z.string().min(1), issuer: z.string().min(1) }),
  z.strictObject({ kind: z.literal('mpt'), mptIssuanceId: z.string().regex(/^[0-9A-Fa-f]{48}$/) }),
]);

const accountSchema = z.strictObject({
  received: z.array(
    z.strictObject({
      asset: assetSchema,
      countByType: z.record(z.string(), count),
      sum: nonNegativeDecimal,
      last: nonNegativeDecimal,
      lastSeq: count,
      /** Absent in state files written before it existed. */
      lastAt: z.number().nullable().optional(),
    }),
  ),
  partialCount: count,
  lastReceivedAt: z.number().nullable(),
  sizeHistogram: z.strictObject({ buckets: z.array(count), sum: nonNegativeDecimal, count }).nullable(),
  balances: z.array(z.strictObject({ asset: assetSchema, value: decimal })),
});

const snapshotSchema = z
  .strictObject({
    version: z.literal(1),
    paymentSizeBucketsXrp: z.array(z.number()),
    seq: count,
    accounts: z.record(z.string(), accountSchema),
  })
  .superRefine((snapshot, ctx) => {
    const slots = snapshot.paymentSizeBucketsXrp.length + 1;
    for (const [account, totals] of Object.entries(snapshot.accounts)) {
      const histogram = totals.sizeHistogram;
      if (histogram && histogram.buckets.length !== slots) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', account, 'sizeHistogram', 'buckets'],
          message: `expected ${slots} bucket counts, found ${histogram.buckets.length}`,
        });
      }
      if (histogram && histogram.buckets.reduce((a, b) => a + b, 0) !== histogram.count) {
        ctx.addIssue({
          code: 'custom',
          path: ['accounts', account, 'sizeHistogram', 'count'],
          message: 'does not equal the sum of the bucket counts',
        });
      }
    }
  });

/** The JSON form of ReceiptTotals, as stored in the durable state file. Values are exact decimal strings. */
export type TotalsSnapshot = z.infer<typeof snapshotSchema>;

/** The zod schema, for documents that embed a totals snapshot (the state file). */
export const totalsSnapshotSchema = snapshotSchema;

/** Validates an untrusted value as a TotalsSnapshot; throws an Error listing every problem with its path. */
export function parseTotalsSnapshot(value: unknown): TotalsSnapshot {
  const result = snapshotSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${formatPath(issue.path)}: ${issue.message}`);
  throw new Error(`invalid totals snapshot: ${problems.join('; ')}`);
}

function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
    .join('');
}
