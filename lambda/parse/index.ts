export * from './desired';
export * from './properties';
