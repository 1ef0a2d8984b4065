import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A config.yaml in a fresh temporary folder (the exporter's working directory in end-to-end tests). */
export interface ConfigFile {
  readonly dir: string;
  readonly path: string;
  write(lines: readonly string[]): void;
}

export function configFile(prefix: string, lines: readonly string[] = []): ConfigFile {
  const dir = mkdtempSync(join(tmpdir(), `xrpl-${prefix}-`));
  const path = join(dir, 'config.yaml');
  const file: ConfigFile = { dir, path, write: (content) => writeFileSync(path, `${content.join('\n')}\n`) };
  if (lines.length > 0) file.write(lines);
  return file;
}

/** The `xrpl` and `accounts` sections: servers, extra `xrpl` keys, and accounts by name. */
export function watcherYaml(
  servers: readonly string[],
  accounts: Readonly<Record<string, string>>,
  xrplExtra: readonly string[] = [],
): string[] {
  return [
    'xrpl:',
    `  servers: [${servers.map((s) => `"${s}"`).join(', ')}]`,
    ...xrplExtra.map((line) => `  ${line}`),
    'accounts:',
    ...Object.entries(accounts).map(([name, address]) => `  - { address: ${address}, name: ${name} }`),
  ];
}
