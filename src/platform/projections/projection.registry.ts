import { Injectable, OnModuleInit } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { Projection, PROJECTION } from './projection';

/** Every provider marked @ReadModelProjection(), by name. */
@Injectable()
export class ProjectionRegistry implements OnModuleInit {
  private readonly byName = new Map<string, Projection>();

  constructor(
    private readonly discovery: DiscoveryService,
    private readonly reflector: Reflector,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      if (!wrapper.metatype || !wrapper.instance || typeof wrapper.metatype !== 'function') continue;
      if (!this.reflector.get(PROJECTION, wrapper.metatype)) continue;
      const p = wrapper.instance as Projection;
      if (this.byName.has(p.name)) throw new Error(`two projections are named ${p.name}`);
      this.byName.set(p.name, p);
    }
  }

  all(): Projection[] {
    return [...this.byName.values()];
  }

  get(name: string): Projection {
    const p = this.byName.get(name);
    if (!p) throw new Error(`no projection named ${name}; known: ${[...this.byName.keys()].join(', ') || 'none'}`);
    return p;
  }
}
