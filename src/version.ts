import { readFileSync } from 'node:fs';

/** The package version and the git revision the build came from (if known), for build_info and --version. */
export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly nodeVersion: string;
}

export function readBuildInfo(
  env: Readonly<Record<string, string | undefined>>,
  nodeVersion: string,
): BuildInfo {
  let version = 'unknown';
  try {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    version = pkg.version ?? version;
  } catch {
    // A stripped install without package.json still runs; the version is then unknown.
  }
  return { version, revision: env.XRPL_EXPORTER_REVISION ?? 'unknown', nodeVersion };
}
