import type { RetrievalCommand, ServerMessage, SweepCommand } from '@quarry/protocol';

/**
 * Checks the shape of a server message. The agent depends on @quarry/protocol only (not on a
 * schema validator), so the few fields it relies on are checked by hand; anything else is ignored.
 */
export function parseServerMessage(value: unknown): ServerMessage | undefined {
  if (!isObject(value)) return undefined;
  switch (value.type) {
    case 'welcome':
      return typeof value.endpointId === 'string' && isPositive(value.heartbeatIntervalMs)
        ? (value as unknown as ServerMessage)
        : undefined;
    case 'retrieve':
      return isCommand(value.command) ? (value as unknown as ServerMessage) : undefined;
    case 'sweep':
      return isSweepCommand(value.command) ? (value as unknown as ServerMessage) : undefined;
    case 'cancel':
      return isInt(value.subtaskId) && isInt(value.attempt) ? (value as unknown as ServerMessage) : undefined;
    default:
      return undefined;
  }
}

/** Parses a WebSocket text frame; undefined when it is not valid JSON or not a known message. */
export function parseServerFrame(text: string): ServerMessage | undefined {
  try {
    return parseServerMessage(JSON.parse(text));
  } catch {
    return undefined;
  }
}

function isCommand(v: unknown): v is RetrievalCommand {
  return (
    isObject(v) &&
    isInt(v.subtaskId) &&
    isInt(v.taskId) &&
    isInt(v.attempt) &&
    (v.attempt as number) >= 1 &&
    isPositive(v.chunkSize) &&
    Number.isInteger(v.chunkSize) &&
    typeof v.deadlineAt === 'string' &&
    Array.isArray(v.files) &&
    v.files.every((f) => isObject(f) && isInt(f.fileOpId) && typeof f.path === 'string')
  );
}

function isSweepCommand(v: unknown): v is SweepCommand {
  if (!isObject(v) || !isInt(v.subtaskId) || !isInt(v.taskId) || !isInt(v.attempt) || (v.attempt as number) < 1) return false;
  const c = v.criteria;
  if (!isObject(c) || !isObject(c.budgets)) return false;
  const strings = (a: unknown) => Array.isArray(a) && a.every((x) => typeof x === 'string');
  const b = c.budgets;
  return (
    strings(c.roots) &&
    strings(c.names) &&
    strings(c.hashes) &&
    [b.maxFiles, b.maxBytesHashed, b.maxDepth, b.maxSeconds].every(isPositive) &&
    (c.minSize === null || isInt(c.minSize)) &&
    (c.maxSize === null || isInt(c.maxSize)) &&
    (c.modifiedSince === null || typeof c.modifiedSince === 'string')
  );
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
  return Number.isInteger(v);
}

function isPositive(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v > 0;
}
