import { CreateLinkBody, DownloadLinkSchema, IntIdParams, ListFilesQuery, Page, RetrievedFileSchema } from '@quarry/protocol';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../../plugins/auth.js';
import { defaultEmptyBody } from '../../plugins/optional-body.js';
import type { RouteContext } from '../../route-context.js';

/** Retrieved files: metadata for readers, signed download links for those allowed to download. */
export const fileRoutes: FastifyPluginAsyncTypebox<{ ctx: RouteContext }> = async (app, { ctx }) => {
  const common = { tags: ['files'], security: [{ apiKey: [] }] };
  app.get(
    '/files',
    { config: { permission: 'read' }, schema: { ...common, querystring: ListFilesQuery, response: { 200: Page(RetrievedFileSchema) } } },
    async (request) => ctx.services.files.list(request.query),
  );
  app.get(
    '/files/:id',
    { config: { permission: 'read' }, schema: { ...common, params: IntIdParams, response: { 200: RetrievedFileSchema } } },
    async (request) => ctx.services.files.get(request.params.id),
  );
  app.post(
    '/files/:id/links',
    {
      config: { permission: 'download' },
      preValidation: defaultEmptyBody,
      schema: { ...common, params: IntIdParams, body: CreateLinkBody, response: { 201: DownloadLinkSchema } },
    },
    async (request, reply) => {
      const link = await ctx.services.files.createLink(actorOf(request), request.params.id, request.body ?? {}, ctx.publicUrl());
      return reply.code(201).send(link);
    },
  );
};
