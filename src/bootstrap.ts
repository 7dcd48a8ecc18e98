import 'reflect-metadata';
import { INestApplicationContext, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createServer, type Server } from 'node:http';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { ConfigurationError, Role } from './config/environment';
import { configureHttp } from './platform/http/configure-http';
import { createHttpAdapter } from './platform/http/http-adapter';
import { FirstRunService } from './modules/identity';
import { WorkerLifecycle } from './platform/lifecycle/worker-lifecycle.service';
import { MetricsService } from './platform/metrics/metrics.service';

/** Reads and validates configuration; a bad setting ends the process with a message naming it. */
export function loadConfigOrExit(): AppConfig {
  try {
    return AppConfig.fromProcess();
  } catch (err) {
    if (err instanceof ConfigurationError) {
      process.stderr.write(`kenbun: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
}

/** Starts the given roles in this process and wires graceful shutdown on SIGTERM/SIGINT. */
export async function bootstrap(defaultRoles: Role[]): Promise<INestApplicationContext> {
  const config = loadConfigOrExit();
  const roles = config.rolesOr(defaultRoles);
  const module = AppModule.forRoles(config, roles);
  let app: INestApplicationContext;
  let server: Server | undefined;
  const api = roles.includes('api');
  if (api) {
    const http = await NestFactory.create<NestFastifyApplication>(module, createHttpAdapter(config), { bufferLogs: true, abortOnError: false });
    http.useLogger(http.get(Logger));
    await configureHttp(http, config);
    app = http;
  } else {
    app = await NestFactory.createApplicationContext(module, { bufferLogs: true, abortOnError: false });
    app.useLogger(app.get(Logger));
  }
  const logger = new NestLogger('Bootstrap');
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    logger.log({ msg: 'shutting down', signal });
    const deadline = setTimeout(() => {
      logger.error({ msg: 'shutdown timed out; exiting', timeout_ms: config.env.SHUTDOWN_TIMEOUT_MS });
      process.exit(1);
    }, config.env.SHUTDOWN_TIMEOUT_MS);
    deadline.unref();
    try {
      // 1. stop taking requests (in-flight ones finish), 2. stop taking jobs and let active ones finish,
      // 3. close connections.
      if (server) {
        server.close();
        server.closeIdleConnections();
      }
      if (roles.includes('worker')) await app.get(WorkerLifecycle, { strict: false }).drain();
      await app.close();
      logger.log({ msg: 'shutdown complete' });
      process.exit(0);
    } catch (err) {
      logger.error({ msg: 'shutdown failed', err });
      process.exit(1);
    }
  };
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.init();
  // the first organization and admin exist before the server answers anything
  const firstRun = await app.get(FirstRunService, { strict: false }).ensure();
  // the banner goes to stdout once, not to the log: it may carry a generated password
  if (firstRun) process.stdout.write(FirstRunService.banner(firstRun, config.env.PORT));
  if (api) {
    const http = app as NestFastifyApplication;
    await http.listen(config.env.PORT, config.env.HOST);
    server = http.getHttpServer();
  } else if (config.env.WORKER_METRICS_PORT > 0) {
    // a worker without the api role has no HTTP server: its own metrics (pipeline throughput, ingest-to-score
    // latency, projection lag) are served on a port of their own for Prometheus; `?name=<metric>` (repeatable) serves
    // only those metrics, without running the collectors (MetricsService.render)
    const metrics = app.get(MetricsService);
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://worker');
      if (req.method !== 'GET' || url.pathname !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'application/json' }).end('{"error":"not_found","message":"only GET /metrics here"}');
        return;
      }
      metrics.render(url.searchParams.getAll('name')).then(
        (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((resolve) => server!.listen(config.env.WORKER_METRICS_PORT, config.env.HOST, resolve));
  }
  logger.log({
    msg: 'kenbun started',
    roles,
    port: api ? config.env.PORT : undefined,
    metrics_port: !api && config.env.WORKER_METRICS_PORT > 0 ? config.env.WORKER_METRICS_PORT : undefined,
    node: process.version,
  });
  return app;
}

export function runOrExit(p: Promise<unknown>): void {
  p.catch((err) => {
    if (err instanceof ConfigurationError) {
      // a setting checked only once the services answer (e.g. REDIS_REQUIRE_PERSISTENCE): the same exit as a bad one
      process.stderr.write(`kenbun: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    process.stderr.write(`kenbun failed to start: ${err?.stack ?? err}\n`);
    process.exit(1);
  });
}
