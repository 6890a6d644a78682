export * from './client';
export * from './errors';
export * from './pacer';
export * from './workspaces-api';
export * from './images-api';
