import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { inUnit } from '../../../platform/tenancy';
import { DecayErrors } from '../decays.errors';
import { toDecayView } from '../decays.mappers';
import { DecayRule } from '../entities/decay-rule.entity';
import { DecayDto } from '../http/decays.dto';

/** Reads of the active OU's decay rules; another OU's rule does not exist for the caller (404). */
@Injectable()
export class DecaysReader {
  constructor(private readonly ds: DataSource) {}

  async rule(id: string): Promise<DecayRule> {
    const rule = await this.ds.getRepository(DecayRule).findOneBy(inUnit({ id }));
    if (!rule) throw DecayErrors.notFound('decay_not_found', 'decay rule');
    return rule;
  }

  async view(id: string): Promise<DecayDto> {
    return toDecayView(await this.rule(id));
  }

  /** Oldest first (the order the job applies them in is by id). */
  async views(): Promise<DecayDto[]> {
    return (await this.ds.getRepository(DecayRule).find({ where: inUnit(), order: { createdAt: 'ASC', id: 'ASC' } })).map(toDecayView);
  }
}
