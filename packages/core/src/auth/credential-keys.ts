import { AGENT_KEY_PREFIX, API_KEY_PREFIX, ENROLL_TOKEN_PREFIX } from '@quarry/protocol';

/** Parsed `<prefix><id>.<secret>` credential. */
export interface ParsedKey {
  id: string;
  secret: string;
}

const SECRET = '([A-Za-z0-9_-]{16,200})';
const API_KEY = new RegExp(`^${API_KEY_PREFIX}([0-9a-f]{16})\\.${SECRET}$`);
const AGENT_KEY = new RegExp(`^${AGENT_KEY_PREFIX}([0-9a-f]{32})\\.${SECRET}$`);
const ENROLL_TOKEN = new RegExp(`^${ENROLL_TOKEN_PREFIX}([0-9a-f]{16})\\.${SECRET}$`);

function parse(re: RegExp, key: string): ParsedKey | null {
  const m = re.exec(key);
  return m && m[1] && m[2] ? { id: m[1], secret: m[2] } : null;
}

export const parseApiKey = (key: string): ParsedKey | null => parse(API_KEY, key);
export const parseAgentKey = (key: string): ParsedKey | null => parse(AGENT_KEY, key);
export const parseEnrollToken = (key: string): ParsedKey | null => parse(ENROLL_TOKEN, key);

export const formatApiKey = (id: string, secret: string): string => `${API_KEY_PREFIX}${id}.${secret}`;
export const formatAgentKey = (id: string, secret: string): string => `${AGENT_KEY_PREFIX}${id}.${secret}`;
export const formatEnrollToken = (id: string, secret: string): string => `${ENROLL_TOKEN_PREFIX}${id}.${secret}`;

/** Bytes of randomness in every credential secret. */
export const SECRET_BYTES = 32;
