import { Module, RequestMethod } from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../config/app-config';
import { requestIdFor } from './request-id';

/** Header names and body fields that must never reach a log line. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.password',
  '*.client_secret',
  '*.secret',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.authorization',
];

/** Structured JSON logs (pino) with a request id on every line and in the `X-Request-Id` response header. */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        // every path: nestjs-pino's default (`{/*splat}`) reaches middie as `/{/*splat}`, which matches `/` only
        forRoutes: [{ path: '{*path}', method: RequestMethod.ALL }],
        pinoHttp: {
          level: config.env.LOG_LEVEL,
          base: { service: 'kenbun', pid: process.pid },
          redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
          transport: config.env.LOG_PRETTY ? { target: 'pino-pretty', options: { singleLine: true } } : undefined,
          // the api's HTTP adapter assigns the id (createHttpAdapter) and pino-http keeps it: this is for requests without one
          genReqId: (req: IncomingMessage, res: ServerResponse) => {
            const id = requestIdFor(req);
            res.setHeader('X-Request-Id', id);
            return id;
          },
          customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
            err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
          serializers: {
            req: (req: { id: string; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
              id: req.id,
              method: req.method,
              url: req.url?.replace(/([?&](token|access_token|client_secret)=)[^&]*/gi, '$1[redacted]'),
              remote_address: req.remoteAddress,
              user_agent: req.headers?.['user-agent'],
            }),
            res: (res: { statusCode: number }) => ({ status_code: res.statusCode }),
          },
          autoLogging: { ignore: (req: IncomingMessage) => req.url === '/metrics' || req.url?.startsWith('/health') === true },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
