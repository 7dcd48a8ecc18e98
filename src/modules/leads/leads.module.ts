import { Module } from '@nestjs/common';
import { LeadIdentityProjection } from './projections/lead-identity.projection';

/** Leads: the event-sourced Lead aggregate and its identity read model (leads, aliases). */
@Module({ providers: [LeadIdentityProjection] })
export class LeadsModule {}
