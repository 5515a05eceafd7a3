import type { TSchema } from 'typebox';
import { toEnvName, toFlagName } from './load.js';
import { ConfigSchema, SECRET_CONFIG_KEYS } from './schema.js';

const HEADER = `# Server configuration

<!-- Generated from packages/server/src/config/schema.ts by renderConfigDoc(); do not edit by hand.
     A test fails when this file and the schema disagree. -->

Precedence, lowest first: defaults < JSON config file (\`--config <file>\` or \`QUARRY_CONFIG\`) <
environment variables < command-line flags. Every problem is reported at once and the server
refuses to start. \`QUARRY_ADMIN_KEY_FILE\` and \`QUARRY_MASTER_KEY_FILE\` read a secret from a file.
\`--with-local-agent\` is the same as \`--local-agent\`. \`quarry config print --redacted\` shows the
effective settings with secrets hidden.

| Key | Env | Flag | Default | Description |
| --- | --- | --- | --- | --- |
`;

interface Row {
  key: string;
  env: string;
  flag: string;
  schema: TSchema & { default?: unknown; description?: string };
}

function rows(): Row[] {
  const out: Row[] = [];
  for (const [key, schema] of Object.entries(ConfigSchema.properties as Record<string, Row['schema']>)) {
    if (key === 'database') {
      const db = (schema as unknown as { properties: Record<string, Row['schema']> }).properties;
      out.push({ key: 'database.driver', env: '', flag: '', schema: db.driver as Row['schema'] });
      out.push({ key: 'database.path', env: 'QUARRY_DATABASE_PATH', flag: '--database-path', schema: db.path as Row['schema'] });
      continue;
    }
    const env = toEnvName(key);
    const secret = (SECRET_CONFIG_KEYS as readonly string[]).includes(key);
    // Secrets have no flag: command lines are visible to every local user.
    out.push({ key, env: secret ? `${env}, ${env}_FILE` : env, flag: secret ? '' : `--${toFlagName(key)}`, schema });
  }
  return out;
}

const cell = (s: string): string => s.replace(/\|/g, '\\|');
const code = (s: string): string => (s === '' ? '' : s.split(', ').map((p) => `\`${p}\``).join(', '));

function describeDefault(value: unknown): string {
  if (value === null || value === undefined) return '(unset)';
  if (value === '') return '(empty)';
  return `\`${JSON.stringify(value)}\``;
}

/** Renders docs/config.md from the schema, so the documentation cannot drift from the code. */
export function renderConfigDoc(): string {
  const lines = rows().map(
    (r) => `| \`${r.key}\` | ${code(r.env)} | ${code(r.flag)} | ${describeDefault(r.schema.default)} | ${cell(r.schema.description ?? '')} |`,
  );
  return `${HEADER}${lines.join('\n')}\n`;
}
