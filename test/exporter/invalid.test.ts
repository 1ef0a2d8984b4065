import { describe, expect, it } from 'vitest';
import { InvalidMessages } from '../../src/exporter/invalid.js';
import { createLogger } from '../../src/log.js';

function setup(maxLoggedReasons?: number) {
  const lines: Array<{ msg: string; reason: string }> = [];
  let counted = 0;
  const logger = createLogger({
    level: 'debug',
    format: 'json',
    write: (line) => lines.push(JSON.parse(line)),
  });
  const invalid = new InvalidMessages(() => (counted += 1), logger, maxLoggedReasons);
  return { invalid, lines, counted: () => counted };
}

describe('InvalidMessages', () => {
  it('counts every message and logs each distinct reason once', () => {
    const { invalid, lines, counted } = setup();
    for (const reason of ['bad json', 'bad json', 'no hash', 'bad json']) invalid.report(reason);
    expect(counted()).toBe(4);
    expect(lines.map((l) => [l.msg, l.reason])).toEqual([
      ['invalid message from the server', 'bad json'],
      ['invalid message from the server', 'no hash'],
    ]);
  });

  it('stops logging new reasons after the bound, and keeps counting them', () => {
    const { invalid, lines, counted } = setup(2);
    for (const reason of ['a', 'b', 'c', 'a', 'd']) invalid.report(reason);
    expect(counted()).toBe(5);
    expect(lines.map((l) => l.reason)).toEqual(['a', 'b']);
  });

  it('logs up to 100 distinct reasons by default', () => {
    const { invalid, lines } = setup();
    for (let i = 0; i < 150; i++) invalid.report(`reason ${i}`);
    expect(lines).toHaveLength(100);
  });
});
