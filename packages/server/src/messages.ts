/** User-facing lines the server prints on its console (stdout); logs go to stderr. */
export const SERVER_MESSAGES = {
  listening: (url: string) => `Quarry server listening on ${url}`,
  youngGenerationGrows: 'many agents connected: V8 young generation may grow again',
  apiDocs: (url: string) => `API documentation: ${url}/api/docs`,
  adminKeyWritten: (path: string) => `First start: an admin API key was created and written to ${path} (mode 0600). Use it with: quarry --api-key "$(cat ${path})" whoami`,
  adminKeyFromConfig: 'Admin API key: the one given in QUARRY_ADMIN_KEY (or adminKey) was registered.',
  adminKeyExists: (path: string | null) =>
    path ? `Admin API key: see ${path} (written on the first start).` : 'Admin API key: an admin credential already exists.',
  localAgent: (stateDir: string) => `Local agent: running as a child process (state in ${stateDir}).`,
  stopping: 'Quarry server stopping…',
  configInvalid: 'quarry server: invalid configuration:',
  startRefused: 'quarry server: refusing to start:',
} as const;

/** `quarry server --help`. */
export const SERVER_USAGE = `Usage: quarry server [options]

Runs the Quarry server until interrupted (SIGINT/SIGTERM).

Options (see docs/config.md for every setting; each is also QUARRY_<NAME> in the environment):
  --config FILE             JSON config file
  --host HOST               interface to listen on (default 127.0.0.1)
  --port PORT               TCP port (default 8080)
  --data-dir DIR            data directory (default ./data)
  --public-url URL          base URL used in download links
  --with-local-agent        also run an agent for this machine
  --database-url URL        postgres://… (shared by several nodes) or a SQLite file path
  --blob-url URL            s3://bucket?region=…&endpoint=…&forcePathStyle=true (default <dataDir>/blobs)
  --migrate                 apply pending PostgreSQL migrations at start
  --log-level LEVEL         fatal|error|warn|info|debug|trace|silent
  -h, --help                show this help

Subcommands:
  config print [--redacted] print the effective configuration as JSON (secrets hidden)
  migrate                   apply pending database migrations and exit (also --migrate-only)
`;
