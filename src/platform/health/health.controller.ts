import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, TypeOrmHealthIndicator } from '@nestjs/terminus';
import Redis from 'ioredis';
import { Public } from '../http/public.decorator';
import { REDIS } from '../redis/redis.module';

@ApiTags('Health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get('live')
  @Public()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness', description: 'The process is up and serving HTTP.' })
  @ApiResponse({ status: 200, description: 'Alive', schema: { type: 'object', properties: { status: { type: 'string', example: 'ok' } } } })
  live(): { status: string } {
    return { status: 'ok' };
  }

  @Get('ready')
  @Public()
  @HealthCheck()
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness', description: 'PostgreSQL and Redis answer; 503 otherwise.' })
  ready() {
    return this.health.check([
      () => this.db.pingCheck('database').withTimeout(2000),
      () =>
        this.indicators
          .check('redis')
          .attempt(async () => ({ reply: await this.redis.ping() }))
          .withTimeout(2000),
    ]);
  }
}
