import { parseArgs } from 'node:util';

/** A flag as parseArgs knows it. */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  readonly multiple?: boolean;
  readonly short?: string;
}

/** The flags in argv, read leniently: nothing is refused here, so the callers can word the refusal. */
export function flagTokens(argv: readonly string[], flags: Readonly<Record<string, FlagSpec>>) {
  const { tokens } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: false,
    tokens: true,
    options: flags,
  });
  return tokens.filter((token) => token.kind === 'option');
}

export function flagSpec<S extends FlagSpec>(
  flags: Readonly<Record<string, S>>,
  name: string,
): S | undefined {
  return Object.hasOwn(flags, name) ? flags[name] : undefined;
}

/**
 * The first flag of argv that is unknown, lacks its value or has one it does not take, as a message
 * (`unknown flag --bogus-flag`); null when all are well formed. Checked before parseArgs' strict mode,
 * whose own messages are Node's.
 */
export function malformedFlag(
  argv: readonly string[],
  flags: Readonly<Record<string, FlagSpec>>,
): string | null {
  for (const token of flagTokens(argv, flags)) {
    const spec = flagSpec(flags, token.name);
    if (spec === undefined) return `unknown flag ${token.rawName}`;
    if (spec.type === 'boolean' && token.value !== undefined) return `${token.rawName} takes no value`;
    // `--config.file --log.level=debug` would otherwise read the next flag as the file name.
    if (
      spec.type === 'string' &&
      (token.value === undefined || (!token.inlineValue && /^-./.test(token.value)))
    ) {
      return `${token.rawName} needs a value (${token.rawName}=VALUE)`;
    }
  }
  return null;
}
