import type { RetrievalDetail } from '@quarry/protocol';

/** One thing that did not come back, with the code and message shown to the user. */
export interface RetrievalFailure {
  subtaskId: number;
  fileOpId: number | null;
  endpointId: string;
  hostname: string;
  path: string | null;
  code: string;
  message: string;
}

/**
 * File-level failures first; a subtask that ended badly without any failed file (expired,
 * timed out, cancelled before work) is reported once at subtask level.
 */
export function collectFailures(detail: RetrievalDetail): RetrievalFailure[] {
  const out: RetrievalFailure[] = [];
  for (const s of detail.subtasks.items) {
    const base = { subtaskId: s.id, endpointId: s.endpointId, hostname: s.hostname };
    const failedFiles = s.files.filter((f) => f.state === 'failed' || f.state === 'cancelled');
    for (const f of failedFiles) {
      out.push({
        ...base,
        fileOpId: f.id,
        path: f.path,
        code: f.failureCode ?? f.state.toUpperCase(),
        message: f.failureMessage ?? f.state,
      });
    }
    if (s.state !== 'succeeded' && failedFiles.length === 0) {
      out.push({
        ...base,
        fileOpId: null,
        path: null,
        code: s.failureCode ?? s.state.toUpperCase(),
        message: s.failureMessage ?? s.state.replace('_', ' '),
      });
    }
  }
  return out;
}

/** `failed  web-1  /etc/shadow  PERMISSION_DENIED: permission denied` */
export function formatFailure(f: RetrievalFailure): string {
  return `failed  ${f.hostname}  ${f.path ?? '(all paths)'}  ${f.code}: ${f.message}`;
}
