import { isoOrNull } from '../../platform/http';
import { UNIT_SECONDS } from './domain/decay-rule-input';
import { DecayRule } from './entities/decay-rule.entity';
import { DecayDto } from './http/decays.dto';

const DAY = UNIT_SECONDS.days;

export function toDecayView(r: DecayRule): DecayDto {
  const seconds = r.inactiveFor * UNIT_SECONDS[r.unit];
  return {
    decay_id: r.id,
    inactive_for: r.inactiveFor,
    unit: r.unit,
    decrease: r.decrease,
    name: r.name,
    points: -r.decrease,
    interval_days: seconds % DAY === 0 ? seconds / DAY : null,
    active: r.active,
    created_by: r.createdBy,
    updated_by: r.updatedBy,
    created_at: isoOrNull(r.createdAt)!,
    updated_at: isoOrNull(r.updatedAt)!,
  };
}
