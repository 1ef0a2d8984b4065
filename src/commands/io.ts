/** What a command may do to the outside world; main.ts provides the real process streams. */
export interface CommandIO {
  readonly env: Readonly<Record<string, string | undefined>>;
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  /** Whether standard error is a terminal (a progress bar is drawn only then). @default false */
  readonly stderrIsTTY?: boolean;
}
