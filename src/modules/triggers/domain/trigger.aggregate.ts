import { DomainEvent, EventSourcedAggregate } from '../../../platform/event-store';
import { TriggerCreatedPayload, TriggerEvents, TriggerFields, TriggerKind, TriggerStatePayload, TriggerUpdatedPayload } from './trigger-events';

export interface TriggerState {
  created?: Omit<TriggerCreatedPayload, 'fields'>;
  fields?: TriggerFields;
  deleted: boolean;
}

/** A refused command; the handler maps the code to its HTTP error. */
export class TriggerViolation extends Error {
  constructor(
    readonly code: 'trigger_not_found',
    message: string,
  ) {
    super(message);
  }
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A milestone, sequence or pattern trigger of one OU. Its settings change only through these methods; pausing and
 * activating are events of their own (the live detection ignores paused triggers), deletion is final.
 */
export class Trigger extends EventSourcedAggregate<TriggerState> {
  static readonly streamType = 'trigger';
  private state: TriggerState = { deleted: false };

  get exists(): boolean {
    return !!this.state.created && !this.state.deleted;
  }

  get kind(): TriggerKind {
    return this.info.kind;
  }

  get info(): Omit<TriggerCreatedPayload, 'fields'> {
    this.assertExists();
    return this.state.created!;
  }

  get fields(): TriggerFields {
    this.assertExists();
    return this.state.fields!;
  }

  /** Another OU's trigger, or one of another kind, does not exist for the caller. */
  assertVisible(unitId: string, kind: TriggerKind): void {
    if (!this.exists || this.state.created!.unit_id !== unitId || this.state.created!.kind !== kind) {
      throw new TriggerViolation('trigger_not_found', `${kind} trigger not found`);
    }
  }

  private assertExists(): void {
    if (!this.exists) throw new TriggerViolation('trigger_not_found', 'trigger not found');
  }

  create(payload: TriggerCreatedPayload): void {
    if (this.state.created) throw new Error(`trigger ${this.id} already exists`);
    this.raise(TriggerEvents.Created, payload);
  }

  /** Records only what differs; a change of `active` is a pause or an activation of its own. */
  update(next: TriggerFields, by: string, at: string): void {
    const current = this.fields;
    const changes: Partial<TriggerFields> = {};
    for (const key of Object.keys(next) as (keyof TriggerFields)[]) {
      if (key !== 'active' && !same(current[key], next[key])) (changes as Record<string, unknown>)[key] = next[key];
    }
    if (Object.keys(changes).length) this.raise(TriggerEvents.Updated, { changes, by, at } satisfies TriggerUpdatedPayload);
    if (next.active !== current.active) this.raise(next.active ? TriggerEvents.Activated : TriggerEvents.Paused, { by, at } satisfies TriggerStatePayload);
  }

  remove(by: string, at: string): void {
    this.assertExists();
    this.raise(TriggerEvents.Deleted, { by, at } satisfies TriggerStatePayload);
  }

  protected when(e: DomainEvent): void {
    switch (e.type) {
      case TriggerEvents.Created: {
        const { fields, ...created } = e.payload as TriggerCreatedPayload;
        // events from before `notify_owner` existed read as false
        this.state = { created, fields: { ...fields, notify_owner: fields.notify_owner ?? false }, deleted: false };
        return;
      }
      case TriggerEvents.Updated:
        this.state.fields = { ...this.state.fields!, ...(e.payload as TriggerUpdatedPayload).changes };
        return;
      case TriggerEvents.Paused:
        this.state.fields = { ...this.state.fields!, active: false };
        return;
      case TriggerEvents.Activated:
        this.state.fields = { ...this.state.fields!, active: true };
        return;
      case TriggerEvents.Deleted:
        this.state.deleted = true;
        return;
    }
  }

  snapshot(): TriggerState {
    return this.state;
  }

  restore(state: TriggerState): void {
    this.state = state;
    if (state.fields) state.fields.notify_owner ??= false;
  }
}
