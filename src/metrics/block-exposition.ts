import { type DeflatedSegment, deflateSegment } from './gzip.js';

export interface FamilyDescription {
  readonly name: string;
  readonly type: 'counter' | 'gauge' | 'histogram';
  readonly help: string;
}

/** What a block is cached by: every change gives its unit a new, higher revision than any before. */
export interface Revisioned {
  readonly revision: number;
}

export interface BlockExpositionOptions<U, V extends Revisioned> {
  readonly families: readonly FamilyDescription[];
  /** The unit's identifying label pairs, e.g. `account="r…",name="…"`. */
  readonly labels: (unit: U) => string;
  /** The unit's current values; undefined while nothing is known. */
  readonly view: (unit: U) => V | undefined;
  /** One text chunk per family (lines joined by newlines; '' when the unit has no sample of it). */
  readonly render: (labels: string, view: V | undefined) => readonly string[];
  /** The first family opens the exposition: no blank line before it. */
  readonly first: boolean;
}

/**
 * Units per cached block: one change re-renders and re-compresses one block (about 1 ms for 128
 * accounts), and 100,000 accounts make 782 blocks.
 */
const BLOCK_SIZE = 128;

interface CachedBlock {
  /** The newest revision among the block's units when it was rendered: it identifies the content. */
  readonly revision: number;
  /** One compressed segment per family: the units' lines, each preceded by a newline. */
  readonly segments: readonly DeflatedSegment[];
}

/**
 * Metric families with a few samples per unit (an account, a group) in the Prometheus text format
 * 0.0.4, cached only compressed: per block of units and family, one deflate segment, rebuilt when a
 * unit of the block changed. A scrape joins the segments into one gzip member (see gzip.ts), which is
 * what Prometheus asks for; plain text is decompressed from it. So 100,000 accounts' 178 MB of payment
 * exposition live as about 24 MB, and one change costs one block's rendering.
 */
export class BlockExposition<U, V extends Revisioned> {
  private readonly headers: readonly DeflatedSegment[];
  private blocks: CachedBlock[] = [];
  private blocksOf: readonly U[] | null = null;

  constructor(private readonly options: BlockExpositionOptions<U, V>) {
    // prom-client separates families with a blank line, and so do we.
    this.headers = options.families.map((family, f) =>
      deflateSegment(
        Buffer.from(
          `${f > 0 || !options.first ? '\n\n' : ''}# HELP ${family.name} ${family.help}\n# TYPE ${family.name} ${family.type}`,
        ),
      ),
    );
  }

  /** The exposition of `units` as deflate segments in order: family by family, block by block. */
  segments(units: readonly U[]): DeflatedSegment[] {
    const blocks = this.currentBlocks(units);
    const out: DeflatedSegment[] = [];
    this.options.families.forEach((_, f) => {
      out.push(this.headers[f]!);
      for (const block of blocks) out.push(block.segments[f]!);
    });
    return out;
  }

  private currentBlocks(units: readonly U[]): CachedBlock[] {
    if (this.blocksOf !== units) {
      this.blocks = [];
      this.blocksOf = units;
    }
    const blocks: CachedBlock[] = [];
    for (let start = 0, index = 0; start < units.length; start += BLOCK_SIZE, index++) {
      blocks.push(this.block(index, units.slice(start, start + BLOCK_SIZE)));
    }
    return blocks;
  }

  private block(index: number, units: readonly U[]): CachedBlock {
    const { families, labels, view, render } = this.options;
    const views = units.map(view);
    // The newest revision in the block moves whenever any of its units changed.
    let revision = 0;
    for (const v of views) if (v && v.revision > revision) revision = v.revision;
    const cached = this.blocks[index];
    if (cached && cached.revision === revision) return cached;
    const texts: string[] = families.map(() => '');
    units.forEach((unit, u) => {
      const chunks = render(labels(unit), views[u]);
      // A unit may have no sample of a family (an unknown balance): no empty lines.
      for (let f = 0; f < texts.length; f++) if (chunks[f] !== '') texts[f] += `\n${chunks[f]}`;
    });
    const fresh = { revision, segments: texts.map((text) => deflateSegment(Buffer.from(text))) };
    this.blocks[index] = fresh;
    return fresh;
  }
}
