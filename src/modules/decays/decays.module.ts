import { Module } from '@nestjs/common';
import { CreateDecayHandler } from './commands/create-decay/create-decay.handler';
import { DeleteDecayHandler } from './commands/delete-decay/delete-decay.handler';
import { UpdateDecayHandler } from './commands/update-decay/update-decay.handler';
import { DecaysController } from './http/decays.controller';
import { DecayApplyJob } from './jobs/decay-apply.job';
import { DecaysReader } from './queries/decays.reader';

/** Inactivity decay rules of an OU (configuration, HTTP). */
@Module({
  controllers: [DecaysController],
  providers: [CreateDecayHandler, UpdateDecayHandler, DeleteDecayHandler, DecaysReader],
})
export class DecaysModule {}

/** Worker role: the hourly `decay.apply` job. */
@Module({ providers: [DecayApplyJob], exports: [DecayApplyJob] })
export class DecaysWorkerModule {}
