export * from './preflight';
export * from './defaults';
