/** User-facing text of the agent command line. */
export const USAGE = `Usage: quarry-agent --server URL [options]

Runs the Quarry endpoint agent until interrupted.

Options (each also settable as an environment variable; flags win):
  --server URL              server root URL, http or https          QUARRY_AGENT_SERVER
                            (repeatable or comma-separated: nodes of one deployment; the agent
                            uses the first that works and fails over to the next)
  --enroll-token TOKEN      enrolment token (first run only)         QUARRY_AGENT_ENROLL_TOKEN
  --state-dir DIR           where agent.json is kept                 QUARRY_AGENT_STATE_DIR
                            (default: /var/lib/quarry-agent, /Library/Application Support/Quarry,
                            %ProgramData%\\Quarry)
  --allow GLOB              only paths matching a glob may be read   QUARRY_AGENT_ALLOW
                            (repeatable; default: everything)
  --deny GLOB               paths matching a glob are never read     QUARRY_AGENT_DENY
                            (repeatable; deny wins over allow)
  --max-size BYTES          largest file sent, e.g. 500M or 2GiB     QUARRY_AGENT_MAX_SIZE
  --transport MODE          auto, ws or poll (default auto)          QUARRY_AGENT_TRANSPORT
  --heartbeat-seconds N     heartbeat interval (default: server's)   QUARRY_AGENT_HEARTBEAT_SECONDS
  --log-file PATH           JSON log file (default: stderr)          QUARRY_AGENT_LOG_FILE
  --log-level LEVEL         fatal|error|warn|info|debug|trace|silent QUARRY_AGENT_LOG_LEVEL
  --log-max-size BYTES      rotate the log file at this size         QUARRY_AGENT_LOG_MAX_SIZE
                            (default 10M, at least 64K)
  --log-keep N              rotated log files kept, 0-100 (default 5) QUARRY_AGENT_LOG_KEEP
  --exit-on-stdin-close     stop when standard input closes, for a   QUARRY_AGENT_EXIT_ON_STDIN_CLOSE
                            supervisor that holds a pipe to it
  -h, --help                show this help

Globs: * and ? match within one path segment, ** matches any number of segments. They must be
absolute (or start with **). Environment lists (ALLOW, DENY) take one glob or a JSON array.
Matching is case-insensitive on Windows and macOS.
`;

/** Problems found while validating options; all are reported together. */
export const CONFIG_MESSAGES = {
  header: 'quarry-agent: invalid options:',
  footer: "Run 'quarry-agent --help' for usage.",
  unknownOption: (name: string) => `unknown option --${name}`,
  unexpectedArgument: (arg: string) => `unexpected argument '${arg}'`,
  missingValue: (name: string) => `--${name} needs a value`,
  repeated: (name: string) => `--${name} given more than once`,
  serverRequired: '--server is required (or set QUARRY_AGENT_SERVER)',
  serverInvalid: (v: string) => `--server '${v}' is not an http:// or https:// URL without query or fragment`,
  emptyValue: (name: string) => `--${name} may not be empty`,
  glob: (flag: string, glob: string, problem: string) => `--${flag} '${glob}': ${problem}`,
  envList: (name: string) => `${name} is not a glob or a JSON array of globs`,
  maxSize: (v: string) => `--max-size '${v}' is not a byte count (e.g. 1048576, 500M, 2GiB)`,
  transport: (v: string) => `--transport '${v}' must be auto, ws or poll`,
  heartbeat: (v: string) => `--heartbeat-seconds '${v}' must be a whole number from 1 to 3600`,
  logMaxSize: (v: string) => `--log-max-size '${v}' is not a byte count of at least 64K`,
  logKeep: (v: string) => `--log-keep '${v}' must be a whole number from 0 to 100`,
  boolean: (name: string, v: string) => `${name} '${v}' must be 1, true, yes, 0, false or no`,
  noValue: (name: string) => `--${name} takes no value`,
  logLevel: (v: string) => `--log-level '${v}' must be one of fatal, error, warn, info, debug, trace, silent`,
} as const;
