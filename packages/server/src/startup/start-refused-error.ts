/**
 * The server will not start in this situation (pending or unknown database migrations, an
 * unusable blob store URL); like an invalid configuration it exits with code 2, because retrying
 * without an operator's action cannot help.
 */
export class StartRefusedError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`refusing to start:\n  - ${problems.join('\n  - ')}`);
    this.name = 'StartRefusedError';
    this.problems = problems;
  }
}
