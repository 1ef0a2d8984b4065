import { XRP } from '../accounting/receipts.js';
import { BlockExposition, type FamilyDescription } from './block-exposition.js';
import type { UnitView } from './group-view.js';
import type { DeflatedSegment } from './gzip.js';
import { type AssetLabeler, assetKey, escapeLabelValue, formatSample } from './labels.js';
import type { AssetReceipts } from './totals.js';

/** One exposed set of payment series: a configured account, or a group (metrics.aggregate_by). */
export interface ExposedUnit {
  /** Rendered identifying label pairs: `account="r…",name="…"` or `group="…"`. */
  readonly labels: string;
  /** The current totals; undefined while nothing is known, and then every XRP series shows 0. */
  readonly view: () => UnitView | undefined;
}

export const PAYMENT_FAMILIES = {
  payments: {
    name: 'xrpl_payments_received_total',
    type: 'counter',
    help: 'Validated incoming value transfers, per received asset and transaction type.',
  },
  amount: {
    name: 'xrpl_received_amount_total',
    type: 'counter',
    help: 'Total value received (XRP in XRP, tokens in token units, MPTs in integer units).',
  },
  partial: {
    name: 'xrpl_partial_payments_received_total',
    type: 'counter',
    help: 'Incoming partial payments (tfPartialPayment), counted once per transaction.',
  },
  lastAmount: {
    name: 'xrpl_last_received_amount',
    type: 'gauge',
    help: 'Amount of the most recent incoming transfer of this asset (0 before the first one).',
  },
  lastTimestamp: {
    name: 'xrpl_last_received_timestamp_seconds',
    type: 'gauge',
    help: 'Ledger close time of the most recent incoming transfer, Unix seconds (0 before the first one).',
  },
  balance: {
    name: 'xrpl_balance',
    type: 'gauge',
    help: 'Balance after the latest validated change (XRP in XRP, tokens in token units, MPTs in integer units).',
  },
  sizeHistogram: {
    name: 'xrpl_received_payment_size_xrp',
    type: 'histogram',
    help: 'Sizes of incoming XRP transfers, in XRP.',
  },
} as const satisfies Record<string, FamilyDescription>;

const XRP_KEY = assetKey(XRP);
const PAYMENT_TYPE = 'Payment';

const FAMILY_ORDER = [
  PAYMENT_FAMILIES.payments,
  PAYMENT_FAMILIES.amount,
  PAYMENT_FAMILIES.partial,
  PAYMENT_FAMILIES.lastAmount,
  PAYMENT_FAMILIES.lastTimestamp,
  PAYMENT_FAMILIES.balance,
  PAYMENT_FAMILIES.sizeHistogram,
] as const;

/**
 * Renders the payment families from the cached floats of the exact totals, in cached compressed blocks
 * (see BlockExposition). Every unit's XRP receipt series are present, at 0 before any receipt; a
 * balance only once it is known.
 */
export class PaymentExposition {
  private readonly typeLabels = new Map<string, string>();
  private readonly leLabels: readonly string[];
  private readonly blocks: BlockExposition<ExposedUnit, UnitView>;

  constructor(
    private readonly labeler: AssetLabeler,
    bucketBounds: readonly number[],
  ) {
    this.leLabels = [...bucketBounds.map((b) => `le="${formatSample(b)}"`), 'le="+Inf"'];
    this.blocks = new BlockExposition({
      families: FAMILY_ORDER,
      labels: (unit) => unit.labels,
      view: (unit) => unit.view(),
      render: (labels, view) => this.renderUnit(labels, view),
      first: true,
    });
  }

  /** The exposition of `units` as deflate segments in order: family by family, block by block. */
  segments(units: readonly ExposedUnit[]): DeflatedSegment[] {
    return this.blocks.segments(units);
  }

  private renderUnit(labels: string, view: UnitView | undefined): string[] {
    const xrp = this.labeler.text(XRP);
    const f = PAYMENT_FAMILIES;

    const payments: string[] = [];
    if (!view?.assets.get(XRP_KEY)?.countByType.has(PAYMENT_TYPE)) {
      payments.push(`${f.payments.name}{${labels},${xrp},${this.typeLabel(PAYMENT_TYPE)}} 0`);
    }
    const amounts: string[] = [];
    const lastAmounts: string[] = [];
    if (!view?.assets.has(XRP_KEY)) {
      amounts.push(`${f.amount.name}{${labels},${xrp}} 0`);
      lastAmounts.push(`${f.lastAmount.name}{${labels},${xrp}} 0`);
    }
    for (const r of receiptsXrpFirst(view)) {
      const asset = this.labeler.text(r.asset);
      for (const [type, n] of r.countByType) {
        payments.push(`${f.payments.name}{${labels},${asset},${this.typeLabel(type)}} ${n}`);
      }
      amounts.push(`${f.amount.name}{${labels},${asset}} ${formatSample(r.sumFloat)}`);
      lastAmounts.push(`${f.lastAmount.name}{${labels},${asset}} ${formatSample(r.lastFloat)}`);
    }

    // Only known balances: an XRP balance that account_info has not answered yet is absent, not 0.
    const balances: string[] = [];
    const xrpBalance = view?.balances.get(XRP_KEY);
    if (xrpBalance) balances.push(`${f.balance.name}{${labels},${xrp}} ${formatSample(xrpBalance.float)}`);
    for (const [key, b] of view?.balances ?? []) {
      if (key !== XRP_KEY)
        balances.push(`${f.balance.name}{${labels},${this.labeler.text(b.asset)}} ${formatSample(b.float)}`);
    }

    const h = f.sizeHistogram.name;
    const histogram = view?.histogram;
    const histogramLines: string[] = [];
    let cumulative = 0;
    this.leLabels.forEach((le, i) => {
      cumulative += histogram?.buckets[i] ?? 0;
      histogramLines.push(`${h}_bucket{${labels},${le}} ${cumulative}`);
    });
    histogramLines.push(`${h}_sum{${labels}} ${formatSample(histogram?.sum.float ?? 0)}`);
    histogramLines.push(`${h}_count{${labels}} ${histogram?.count ?? 0}`);

    return [
      payments.join('\n'),
      amounts.join('\n'),
      `${f.partial.name}{${labels}} ${view?.partialCount ?? 0}`,
      lastAmounts.join('\n'),
      `${f.lastTimestamp.name}{${labels}} ${view?.lastReceivedAt ?? 0}`,
      balances.join('\n'),
      histogramLines.join('\n'),
    ];
  }

  private typeLabel(type: string): string {
    let text = this.typeLabels.get(type);
    if (text === undefined) {
      text = `type="${escapeLabelValue(type)}"`;
      this.typeLabels.set(type, text);
    }
    return text;
  }
}

function* receiptsXrpFirst(view: UnitView | undefined): Generator<AssetReceipts> {
  if (!view) return;
  const xrp = view.assets.get(XRP_KEY);
  if (xrp) yield xrp;
  for (const [key, r] of view.assets) if (key !== XRP_KEY) yield r;
}
