import { Global, Module } from '@nestjs/common';
import { HttpMetricsHook } from './http-metrics.hook';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';

@Global()
@Module({ providers: [MetricsService], exports: [MetricsService] })
export class MetricsModule {}

/** HTTP side: the scrape endpoint and request counting (api role only). */
@Module({ controllers: [MetricsController], providers: [HttpMetricsHook] })
export class HttpMetricsModule {}
