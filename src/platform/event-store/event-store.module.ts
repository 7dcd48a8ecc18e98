import { Global, Module } from '@nestjs/common';
import { AggregateRepository } from './aggregate.repository';
import { EventStore } from './event-store.service';

@Global()
@Module({ providers: [EventStore, AggregateRepository], exports: [EventStore, AggregateRepository] })
export class EventStoreModule {}
