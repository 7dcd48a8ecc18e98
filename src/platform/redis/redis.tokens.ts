import { Inject } from '@nestjs/common';

export const REDIS = Symbol('kenbun:redis');
export const InjectRedis = () => Inject(REDIS);
