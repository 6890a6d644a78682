export * from './preflight';
export * from './defaults';
export * from './image-preflight';
export * from './migration';
