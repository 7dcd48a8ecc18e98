import { Module } from '@nestjs/common';
import { OnboardingController } from './onboarding/onboarding.controller';
import { OnboardingReader } from './onboarding/onboarding.reader';

/** Admin: onboarding status (ONB-1..3); sample data and backfills join here. */
@Module({
  controllers: [OnboardingController],
  providers: [OnboardingReader],
})
export class AdminModule {}
