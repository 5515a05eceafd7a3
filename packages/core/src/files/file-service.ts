import type { CreateLinkBody, DownloadFormat, DownloadLink, ListFilesQuery, PageOf, RetrievedFile } from '@quarry/protocol';
import type { Actor } from '../services/actor.js';
import type { FileService, OpenedLink } from '../services/contracts.js';
import type { ServiceDeps } from '../shared/service-deps.js';
import type { QuarryStore } from '../ports/quarry-store.js';
import { appError } from '../errors/catalogue.js';
import { recordAudit } from '../audit/record-audit.js';
import { actorRef } from '../shared/actor-ref.js';
import { inTransaction } from '../shared/outbox.js';
import { decodeCursor, pageLimit, toPage } from '../shared/paging.js';
import { iso } from '../shared/time.js';
import { resolveEndpoint } from '../endpoints/resolve-endpoint.js';
import { toContentRef, toRetrievedFile } from './file-wire.js';
import { signLinkToken, verifyLinkToken } from './link-token.js';

/** Path prefix of download links, relative to the server root. */
export const DOWNLOADS_PATH = '/api/v1/downloads/';
/** 18 random bytes are exactly 24 base64url characters. */
const ZIP_PASSWORD_BYTES = 18;

export function createFileService(deps: ServiceDeps): FileService {
  const { store, secrets, clock, settings } = deps;

  async function loadFile(s: QuarryStore, fileId: number) {
    const file = await s.fileOps.getRetrieved(fileId);
    if (!file) throw appError('FILE_NOT_FOUND', { fileId });
    return file;
  }

  async function loadContent(s: QuarryStore, sha256: string | null) {
    const content = sha256 ? await s.uploads.getContent(sha256) : null;
    if (!content) throw appError('BLOB_NOT_FOUND', { sha256 });
    return toContentRef(content, await s.uploads.listChunks(content.uploadId));
  }

  return {
    async list(query: ListFilesQuery): Promise<PageOf<RetrievedFile>> {
      const q = query as { limit?: number; cursor?: string; taskId?: number; endpointId?: string; hash?: string };
      const hash = q.hash?.toLowerCase();
      const limit = pageLimit(q.limit);
      // Any endpoint reference works as a filter: id, short id or hostname.
      const endpointId = q.endpointId === undefined ? undefined : (await resolveEndpoint(store, q.endpointId)).id;
      const rows = await store.fileOps.listRetrieved(
        {
          taskId: q.taskId,
          endpointId,
          md5: hash?.length === 32 ? hash : undefined,
          sha1: hash?.length === 40 ? hash : undefined,
          sha256: hash?.length === 64 ? hash : undefined,
        },
        { limit: limit + 1, after: decodeCursor(q.cursor, 'number') },
      );
      return toPage(rows, limit, (r) => r.id, toRetrievedFile);
    },

    async get(fileId: number): Promise<RetrievedFile> {
      return toRetrievedFile(await loadFile(store, fileId));
    },

    async createLink(actor: Actor, fileId: number, body: CreateLinkBody, baseUrl: string): Promise<DownloadLink> {
      const file = toRetrievedFile(await loadFile(store, fileId));
      const format: DownloadFormat = (body.format as DownloadFormat | undefined) ?? 'raw';
      if (format === 'raw' && body.password !== undefined) throw appError('VALIDATION_FAILED', { reason: 'a password applies to zip links only' });
      const password = format === 'zip' ? (body.password ?? secrets.randomToken(ZIP_PASSWORD_BYTES)) : null;
      const ttlSeconds = Math.min(body.ttlSeconds ?? settings.linkTtlSeconds, settings.maxLinkTtlSeconds);
      const now = clock.now().getTime();
      const linkId = secrets.randomHex(16);
      const expiresAt = now + ttlSeconds * 1000;
      await inTransaction(deps, async (tx) => {
        await tx.links.insert({
          id: linkId,
          fileOpId: fileId,
          format,
          passwordSealed: password === null ? null : secrets.seal(password),
          expiresAt,
          createdBy: actorRef(actor).id,
          createdAt: now,
        });
        await recordAudit(tx, now, {
          actor,
          action: 'file.link.create',
          target: { type: 'file', id: String(fileId) },
          details: { linkId, format, expiresAt: iso(expiresAt), sha256: file.sha256 },
        });
      });
      const path = DOWNLOADS_PATH + signLinkToken(secrets, linkId, expiresAt);
      return {
        url: baseUrl.replace(/\/+$/, '') + path,
        path,
        format,
        fileName: format === 'zip' ? `${file.name}.zip` : file.name,
        expiresAt: iso(expiresAt),
        ...(password !== null ? { password } : {}),
        size: file.size,
        sha256: file.sha256,
      } as DownloadLink;
    },

    async openLink(token: string, ip: string | null): Promise<OpenedLink> {
      const verified = verifyLinkToken(secrets, token);
      if (!verified) throw appError('LINK_INVALID');
      const now = clock.now().getTime();
      if (verified.expiresAtMs <= now) throw appError('LINK_EXPIRED');
      const link = await store.links.get(verified.linkId);
      if (!link || link.expiresAt !== verified.expiresAtMs) throw appError('LINK_INVALID');
      const record = await loadFile(store, link.fileOpId);
      const content = await loadContent(store, record.contentSha256);
      await recordAudit(store, now, {
        actor: { type: 'link', id: link.id, ip },
        action: 'file.download',
        target: { type: 'file', id: String(record.id) },
        details: { format: link.format, linkCreatedBy: link.createdBy, sha256: record.sha256 },
      });
      return {
        linkId: link.id,
        file: toRetrievedFile(record),
        format: link.format,
        password: link.passwordSealed === null ? null : secrets.open(link.passwordSealed),
        content,
      };
    },

    async contentOf(fileId: number) {
      const record = await loadFile(store, fileId);
      return { file: toRetrievedFile(record), content: await loadContent(store, record.contentSha256) };
    },
  };
}
