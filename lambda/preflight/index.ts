export * from './preflight';
export * from './defaults';
export * from './migration';
