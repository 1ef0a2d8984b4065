export { type AccountsFile, type FileProblem, readAccountsFile } from './read.js';
export type { FileAccount } from './rows.js';
