import Big from 'big.js';

/**
 * An exact decimal kept as its canonical text (big.js `toFixed()`: no exponent, no trailing zeros)
 * with a float cache for the exposition. Immutable. A Big costs about 250 bytes of heap, this about
 * 60: it matters with 100,000 accounts. Arithmetic goes through big.js, so it stays exact.
 */
export class Exact {
  static readonly ZERO = new Exact('0', 0);

  private constructor(
    readonly text: string,
    /** The nearest float, for the exposition only. */
    readonly float: number,
  ) {}

  static of(value: Big): Exact {
    const text = value.toFixed();
    return text === '0' ? Exact.ZERO : new Exact(text, Number(text));
  }

  static parse(text: string): Exact {
    return Exact.of(new Big(text));
  }

  get big(): Big {
    return new Big(this.text);
  }

  plus(value: Big | Exact): Exact {
    return Exact.of(new Big(this.text).plus(value instanceof Exact ? value.text : value));
  }

  eq(value: Big): boolean {
    return value.eq(this.text);
  }
}
