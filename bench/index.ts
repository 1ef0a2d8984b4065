import { runAccountingBench } from './accounting.js';

// Benchmarks print figures; they never pass or fail on speed. Run with `npm run bench`
// (node --expose-gc, so each measurement starts from a collected heap).
const collectGarbage = (globalThis as { gc?: () => void }).gc;
const log = (line: string): void => console.log(line);

log(`node ${process.version}, ${new Date().toISOString()}`);
runAccountingBench(log, collectGarbage);
