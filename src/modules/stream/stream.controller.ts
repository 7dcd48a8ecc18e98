import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBasicAuth, ApiBearerAuth, ApiOkResponse, ApiOperation, ApiProduces, ApiQuery, ApiTags } from '@nestjs/swagger';
import type { FastifyReply as Response, FastifyRequest as Request } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import { AppConfig } from '../../config/app-config';
import { PlatformErrors, ApiErrors } from '../../platform/http';
import { RequestContext } from '../../platform/tenancy';
import { ACTIVE_OU_COOKIE, OuAccessService } from '../identity';
import { StreamBus } from './stream-bus';

/**
 * GET /stream: server-sent events of one OU — `score_update {lead_id, ruleset_id, delta, score}`,
 * `event_ingested {event_id, lead_id, event_type, timestamp, suppressed}` (and, as they land, `surge`,
 * `score_reset`) — with a heartbeat comment every SSE_HEARTBEAT_MS. A client only ever receives its own OU's
 * messages.
 */
@ApiTags('Stream')
@ApiBearerAuth('bearerAuth')
@ApiBasicAuth('basicAuth')
@Controller('stream')
export class StreamController {
  constructor(
    private readonly bus: StreamBus,
    private readonly ouAccess: OuAccessService,
    private readonly config: AppConfig,
  ) {}

  @Get()
  @ApiOperation({
    operationId: 'streamEvents',
    summary: 'Server-sent events stream',
    description:
      'text/event-stream of the OU named by `ouId`, else the active OU (activeOu cookie or the OU remembered for the credential). ' +
      'Unlike the legacy stream this one requires a credential; the caller must be a member of the OU (404 for an OU of another ' +
      'organization). Events: score_update, event_ingested; heartbeat comments keep proxies from closing the connection.',
  })
  @ApiQuery({ name: 'ouId', required: false, description: 'OU to follow (default: the active OU)' })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({ description: 'An endless text/event-stream', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiErrors(400, 401, 403, 404)
  async stream(@Query('ouId') ouId: string | undefined, @Req() req: Request, @Res() reply: Response): Promise<void> {
    const principal = RequestContext.principal();
    let unitId: string;
    if (ouId) {
      await this.ouAccess.require(principal, ouId, ['Owner', 'Operator', 'Viewer']);
      unitId = ouId;
    } else {
      const cookie = req.cookies?.[ACTIVE_OU_COOKIE];
      const access = await this.ouAccess.resolveActive(principal, cookie);
      if (!access) throw PlatformErrors.error('no_active_ou', 'no active organizational unit: pass ouId or call POST /org-units/active first');
      unitId = access.unitId;
    }
    // an endless response: written to the Node response, with the headers set on the reply so far (rate limits)
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      ...(reply.getHeaders() as OutgoingHttpHeaders),
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    // "connected" only once the OU's channel is subscribed: whatever happens after a client saw it reaches the client
    const stop = await this.bus.listen(unitId, (m) => res.write(`event: ${m.event}\ndata: ${JSON.stringify(m.data)}\n\n`));
    res.write(`retry: 3000\n: connected to ${unitId}\n\n`);
    const heartbeat = setInterval(() => res.write(`: heartbeat ${new Date().toISOString()}\n\n`), this.config.env.SSE_HEARTBEAT_MS);
    res.on('close', () => {
      clearInterval(heartbeat);
      stop();
    });
  }
}
