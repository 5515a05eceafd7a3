import { InvalidArgumentError } from 'commander';
import { MSG } from './messages.js';

/** commander argParser for `--max-uses N` style options. */
export function parsePositiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(MSG.notAnInteger(value));
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError(MSG.notAnInteger(value));
  return n;
}

/** commander argParser for task/file ids given as arguments. */
export function parseId(value: string): number {
  try {
    return parsePositiveInt(value);
  } catch {
    throw new InvalidArgumentError(MSG.notATaskId(value));
  }
}

/** commander argParser that makes an option repeatable. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
