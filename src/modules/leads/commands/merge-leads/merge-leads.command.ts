import { Command } from '@nestjs/cqrs';
import type { TruncatePolicy } from '../../domain/lead-history';
import type { MergeResultDto } from '../../merge/lead-merge.dto';

/** MRG-1..7: merge source leads of the active OU into a target. */
export class MergeLeadsCommand extends Command<MergeResultDto> {
  constructor(
    readonly targetLeadId: string,
    readonly sourceLeadIds: readonly string[],
    readonly truncate: TruncatePolicy,
  ) {
    super();
  }
}
