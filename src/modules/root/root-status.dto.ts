import { ApiProperty } from '@nestjs/swagger';

export class RootStatusDto {
  @ApiProperty({ example: 'ok' }) status: string;
}

export class HomeStatusDto extends RootStatusDto {
  @ApiProperty({ example: 'home' }) page: string;
}
