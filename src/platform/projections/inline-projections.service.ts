import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StoredEvent } from '../event-store/event-store.types';
import { ProjectionRegistry } from './projection.registry';

/** Applies inline projections to events just appended, inside the appending transaction. */
@Injectable()
export class InlineProjections {
  constructor(private readonly registry: ProjectionRegistry) {}

  private readonly wanted = new Map<string, boolean>();

  /** Whether any inline projection takes events of this type (so appenders need not read back the others). */
  wants(eventType: string): boolean {
    let w = this.wanted.get(eventType);
    if (w === undefined) {
      w = this.registry.all().some((p) => p.mode === 'inline' && (!p.eventTypes || p.eventTypes.includes(eventType)));
      this.wanted.set(eventType, w);
    }
    return w;
  }

  async apply(events: StoredEvent[], m: EntityManager): Promise<void> {
    if (!events.length) return;
    for (const p of this.registry.all()) {
      if (p.mode !== 'inline') continue;
      const mine = p.eventTypes ? events.filter((e) => p.eventTypes!.includes(e.eventType)) : events;
      if (mine.length) await p.handle(mine, m);
    }
  }
}
