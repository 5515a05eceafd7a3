import type { QuarryServices } from './services/contracts.js';
import type { ServiceDeps } from './shared/service-deps.js';
import { createAgentWorkService } from './agent-work/agent-work-service.js';
import { createAuditService } from './audit/audit-service.js';
import { createAuthService } from './auth/auth-service.js';
import { createCredentialService } from './auth/credential-service.js';
import { createEnrollmentService } from './auth/enrollment-service.js';
import { createEndpointService } from './endpoints/endpoint-service.js';
import { createEngineService } from './engine/engine-service.js';
import { createFileService } from './files/file-service.js';
import { createRetrievalService } from './tasks/retrieval-service.js';
import { createElementService } from './sweeps/element-service.js';
import { createSweepService } from './sweeps/sweep-service.js';

export type { ServiceDeps as QuarryServiceDeps } from './shared/service-deps.js';

/**
 * Builds every use case over the injected ports. The composition root (server) calls it once.
 *
 * @example const services = createQuarryServices({ store, vault, secrets, clock, events, logger, settings });
 */
export function createQuarryServices(deps: ServiceDeps): QuarryServices {
  return {
    auth: createAuthService(deps),
    credentials: createCredentialService(deps),
    enrollment: createEnrollmentService(deps),
    endpoints: createEndpointService(deps),
    retrievals: createRetrievalService(deps),
    agentWork: createAgentWorkService(deps),
    files: createFileService(deps),
    audit: createAuditService(deps),
    engine: createEngineService(deps),
    sweeps: createSweepService(deps),
    elements: createElementService(deps),
  };
}
