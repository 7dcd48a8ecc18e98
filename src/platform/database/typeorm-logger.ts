import { Logger as NestLogger } from '@nestjs/common';
import { AbstractLogger, LogLevel, LogMessage } from 'typeorm';

/**
 * Routes TypeORM's messages into the structured application log. Failed queries are not logged here:
 * the caller decides whether an error is expected (a version conflict) or a bug (the HTTP filter logs 500s).
 */
export class TypeOrmLogger extends AbstractLogger {
  private readonly logger = new NestLogger('TypeORM');

  protected writeLog(level: LogLevel, message: LogMessage | LogMessage[]): void {
    for (const m of Array.isArray(message) ? message : [message]) {
      const text = typeof m.message === 'string' ? m.message : JSON.stringify(m.message);
      if (level === 'warn' || m.type === 'query-slow') this.logger.warn({ msg: text, kind: m.type });
      else if (level === 'migration' || level === 'info' || level === 'log') this.logger.log({ msg: text, kind: m.type ?? level });
    }
  }
}
