import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { carriesFields } from '../event-store/event-store.service';
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

  private fields?: Record<string, string[]>;

  /**
   * The payload fields to read back per event type: the union of the inline projections' `payloadFields` for a type
   * every inline projection taking it lists there (any other type is read back whole).
   */
  readBackFields(): Readonly<Record<string, readonly string[]>> {
    if (this.fields) return this.fields;
    const inline = this.registry.all().filter((p) => p.mode === 'inline');
    const types = new Set(inline.flatMap((p) => Object.keys(p.payloadFields ?? {})));
    const out: Record<string, string[]> = {};
    for (const type of types) {
      const takers = inline.filter((p) => !p.eventTypes || p.eventTypes.includes(type));
      if (takers.every((p) => p.payloadFields?.[type])) out[type] = [...new Set(takers.flatMap((p) => p.payloadFields![type]))];
    }
    return (this.fields = out);
  }

  /** Whether an inline projection takes this appended event (`wants`, and it carries a read-back field, if any are listed). */
  takes(eventType: string, payload: unknown): boolean {
    return this.wants(eventType) && carriesFields(this.readBackFields(), eventType, payload);
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
