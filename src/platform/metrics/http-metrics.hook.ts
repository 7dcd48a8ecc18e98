import { Injectable, OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify';
import { MetricsService } from './metrics.service';

/**
 * Counts every response, including 404s for unknown routes and errors raised before a handler: a Fastify
 * `onResponse` hook, added before the server starts.
 */
@Injectable()
export class HttpMetricsHook implements OnModuleInit {
  constructor(
    private readonly metrics: MetricsService,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    fastify?.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction) => {
      this.observe(req, reply);
      done();
    });
  }

  private observe(req: FastifyRequest, reply: FastifyReply): void {
    // the matched route pattern keeps label cardinality bounded; unknown paths share one label
    const path = req.is404 ? undefined : req.routeOptions.url;
    const route = path && !path.includes('*') ? path : 'unmatched';
    const method = req.method;
    this.metrics.httpRequests.inc({ method, route, status: String(reply.statusCode) });
    this.metrics.httpDuration.observe({ method, route }, reply.elapsedTime / 1000);
  }
}
