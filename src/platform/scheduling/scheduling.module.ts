import { Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { ScheduleModule } from '@nestjs/schedule';
import { ClusterScheduler } from './cluster-scheduler.service';

/** Worker role only: cron jobs that run once per tick across every worker. */
@Module({ imports: [ScheduleModule.forRoot(), DiscoveryModule], providers: [ClusterScheduler], exports: [ClusterScheduler] })
export class SchedulingModule {}
