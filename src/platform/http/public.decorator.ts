import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'kenbun:public';

/** Marks a route that needs no credential (metrics, health, root, public share links). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
