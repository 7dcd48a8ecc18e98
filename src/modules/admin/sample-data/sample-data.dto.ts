import { ApiProperty } from '@nestjs/swagger';

export class SeedResultDto {
  @ApiProperty({ example: 'sample data seeded' }) message: string;
  @ApiProperty({
    example: "Sample data for 2025-08-15 (events over the previous 30 days):\n- ruleset 'Sample: Website & email engagement' (rs_…) with 7 rules\n…",
    description: 'What was created, one line per kind (human-readable)',
  })
  output: string;
}

export class SampleWipeCountsDto {
  @ApiProperty({ example: 240, description: 'Sample leads deleted (hidden at once, erased with their aliases and read rows by the worker)' })
  leads: number;
  @ApiProperty({ example: 1890, description: 'Events of those leads erased with them' }) events: number;
  @ApiProperty({ example: 12, description: 'Sample accounts deleted (an account holding a customer lead stays)' }) accounts: number;
  @ApiProperty({ example: 1, description: 'Sample rulesets deleted (one holding a customer rule stays; its sample rules go)' }) rulesets: number;
  @ApiProperty({ example: 7, description: 'Sample rules deleted (with their ruleset or one by one)' }) rules: number;
  @ApiProperty({ example: 3, description: 'Sample engagement levels deleted' }) levels: number;
  @ApiProperty({ example: 1, description: 'Sample triggers deleted' }) triggers: number;
  @ApiProperty({ example: 0, description: 'Sample segments deleted' }) segments: number;
}

export class SampleWipeResultDto {
  @ApiProperty({ example: 'sample data wiped' }) message: string;
  @ApiProperty({
    type: SampleWipeCountsDto,
    description: 'Per kind: how many sample rows were deleted; nothing that was not created by POST /admin/seed is touched',
  })
  deleted: SampleWipeCountsDto;
}
