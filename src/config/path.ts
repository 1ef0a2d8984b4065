/** Config paths as users read them: `rules[2].threshold`, `xrpl.servers[0]`; the document itself is `(root)`. */
export type ConfigPath = readonly PropertyKey[];

export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}

export function pathMessage(path: ConfigPath, message: string): string {
  return `${formatPath(path)}: ${message}`;
}
