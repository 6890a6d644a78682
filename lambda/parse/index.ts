export * from './desired';
export * from './properties';
export * from './strict';
export * from './directory-rules';
