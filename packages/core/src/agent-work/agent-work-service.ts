import type { AgentWorkService } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import { beginUpload } from './begin-upload.js';
import { claimCommands, claimWork } from './claim-commands.js';
import { completeUpload } from './complete-upload.js';
import { endpointsWithWork } from './endpoints-with-work.js';
import { claimWorkBatch, type TaskKindCache } from './claim-work-batch.js';
import { failFileOp } from './fail-file-op.js';
import { ProgressThrottle } from './progress-throttle.js';
import { putChunk } from './put-chunk.js';
import { putContent } from './put-content.js';
import { reportStarted } from './report-started.js';
import { recordSweepResults } from '../sweeps/record-sweep-results.js';

/** The agent-facing half of the task engine; each method lives in its own module. */
export function createAgentWorkService(deps: ServiceDeps): AgentWorkService {
  const throttle = new ProgressThrottle();
  const taskKinds: TaskKindCache = new Map();
  return {
    claimCommands: (endpointId, options) => claimCommands(deps, endpointId, options.resendInFlight),
    claimWork: (endpointId, options) => claimWork(deps, endpointId, options.resendInFlight),
    endpointsWithWork: (endpointIds) => endpointsWithWork(deps, endpointIds),
    claimWorkBatch: (endpointIds) => claimWorkBatch(deps, taskKinds, endpointIds),
    sweepResults: (endpointId, subtaskId, body) => recordSweepResults(deps, endpointId, subtaskId, body),
    started: (endpointId, subtaskId, attempt) => reportStarted(deps, endpointId, subtaskId, attempt),
    begin: (endpointId, fileOpId, body) => beginUpload(deps, endpointId, fileOpId, body),
    putChunk: (endpointId, input) => putChunk(deps, throttle, endpointId, input),
    complete: (endpointId, uploadId, body) => completeUpload(deps, endpointId, uploadId, body),
    putContent: (endpointId, input) => putContent(deps, endpointId, input),
    fail: (endpointId, fileOpId, body) => failFileOp(deps, endpointId, fileOpId, body),
  };
}
