/**
 * "Did you mean": the one known key close enough to an unknown one to be a typo of it, else null.
 * Close = an edit distance (insert, delete, substitute, swap two neighbours) of 1, or 2 for keys longer
 * than 4 characters; case and `-` for `_` are free. Two candidates equally close suggest nothing.
 */
export function closestKey(unknown: string, known: readonly string[]): string | null {
  const wanted = normalise(unknown);
  const limit = wanted.length > 4 ? 2 : 1;
  let best: string | null = null;
  let bestDistance = limit + 1;
  let tie = false;
  for (const key of known) {
    const distance = editDistance(wanted, normalise(key));
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
      tie = false;
    } else if (distance === bestDistance) {
      tie = true;
    }
  }
  return best !== null && !tie ? best : null;
}

function normalise(key: string): string {
  return key.toLowerCase().replaceAll('-', '_');
}

/** Optimal string alignment distance: Levenshtein plus the transposition of two adjacent characters. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const row = rows[i]!;
      row[j] = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j]!, rows[i - 2]![j - 2]! + 1);
      }
    }
  }
  return rows[a.length]![b.length]!;
}
