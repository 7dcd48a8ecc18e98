import { ApiProperty } from '@nestjs/swagger';

const STEP_IDS = ['connect_integration', 'create_scoring_rules', 'set_engagement_levels'] as const;

export class OnboardingStepDto {
  @ApiProperty({ enum: STEP_IDS })
  id: (typeof STEP_IDS)[number];

  @ApiProperty({ example: 'Connect an integration' })
  label: string;

  @ApiProperty()
  completed: boolean;

  @ApiProperty({ example: '/settings/integrations' })
  action_path: string;
}

/** ONB-1 */
export class OnboardingStatusDto {
  @ApiProperty({ type: [OnboardingStepDto], description: 'Ordered list of setup steps' })
  steps: OnboardingStepDto[];

  @ApiProperty({ description: 'true when every step is complete' })
  all_complete: boolean;

  @ApiProperty({ example: 1 })
  completed_count: number;

  @ApiProperty({ example: 3 })
  total_count: number;
}
