import { BullAdapter } from '@bull-board/api/bullAdapter';
import { FastifyAdapter } from '@bull-board/fastify';
import { BullBoardModule } from '@bull-board/nestjs';
import { DynamicModule, Module } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { opsAdminMiddleware } from '../auth/ops-admin';
import { knownQueues } from './known-queues';
import { QueuesAdminController } from './queues-admin.controller';

/** Bull Board at /admin/queues behind the operations-admin credential, plus the JSON admin routes. */
@Module({})
export class QueueDashboardModule {
  static register(config: AppConfig): DynamicModule {
    const imports: DynamicModule[] = [];
    if (config.env.QUEUE_DASHBOARD_PASSWORD) {
      imports.push(
        BullBoardModule.forRoot({ route: '/admin/queues', adapter: FastifyAdapter, middleware: opsAdminMiddleware(config) }),
        ...[...knownQueues].map((name) => BullBoardModule.forFeature({ name, adapter: BullAdapter })),
      );
    }
    return { module: QueueDashboardModule, imports, controllers: [QueuesAdminController] };
  }
}
