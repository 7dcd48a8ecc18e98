import { BadRequestException, HttpException, NotFoundException } from '@nestjs/common';
import type { FastifyRequest as Request } from 'fastify';
import { AppError } from './app-error';
import { AllExceptionsFilter } from './all-exceptions.filter';
import { codeForStatus } from './app-error';
import { isRegisteredErrorCode } from './error-catalog';
import './platform.errors';

describe('AllExceptionsFilter.render', () => {
  const filter = new AllExceptionsFilter();
  const req = {} as Request;

  it('keeps an AppError as thrown', () => {
    expect(filter.render(new AppError(409, 'duplicate_rule', 'a rule already scores page_view'), req)).toEqual({
      status: 409,
      body: { error: 'duplicate_rule', message: 'a rule already scores page_view' },
    });
  });

  it("normalises Nest's own exceptions to the error shape", () => {
    expect(filter.render(new NotFoundException('Cannot GET /x'), req)).toEqual({ status: 404, body: { error: 'not_found', message: 'Cannot GET /x' } });
    expect(filter.render(new HttpException('slow down', 429), req).body).toEqual({ error: 'rate_limited', message: 'slow down' });
  });

  it('maps body-parser failures wrapped by Nest', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { type: 'entity.too.large', status: 413, limit: 1024 });
    expect(filter.render(new HttpException('too large', 413, { cause: tooLarge }), req).status).toBe(413);
    const parse = Object.assign(new SyntaxError('Unexpected token'), { type: 'entity.parse.failed', status: 400 });
    expect(filter.render(new BadRequestException('bad', { cause: parse }), req).body.error).toBe('invalid_json');
  });

  it('hides the details of unexpected errors behind a 500', () => {
    expect(filter.render(new Error('connection string postgres://secret@db'), req)).toEqual({
      status: 500,
      body: { error: 'internal_error', message: 'internal server error' },
    });
  });

  it('answers 503 database_unavailable when PostgreSQL cannot be reached, and 500 for other database errors', () => {
    const unavailable = { status: 503, body: { error: 'database_unavailable', message: 'the database is unavailable; retry the request shortly' } };
    // what node-postgres and TypeORM raise while PostgreSQL restarts: refused, shutting down, starting up, cut mid-query
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    const shutdown = Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });
    const starting = Object.assign(new Error('the database system is starting up'), { code: '57P03' });
    const typeorm = Object.assign(new Error('QueryFailedError'), { driverError: shutdown });
    const all = Object.assign(new AggregateError([refused, refused], ''), {});
    for (const e of [refused, shutdown, starting, typeorm, new Error('Connection terminated unexpectedly'), all])
      expect(filter.render(e, req)).toEqual(unavailable);
    const unique = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    expect(filter.render(Object.assign(new Error('QueryFailedError'), { driverError: unique }), req).status).toBe(500);
  });

  it('answers only registered codes for statuses without a code of their own', () => {
    for (const status of [400, 401, 402, 403, 404, 405, 406, 409, 410, 412, 413, 415, 422, 429, 500, 502, 503, 504]) {
      expect([status, isRegisteredErrorCode(codeForStatus(status))]).toEqual([status, true]);
    }
  });
});
