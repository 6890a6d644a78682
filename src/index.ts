export * from './compute-type';
export * from './disruption-policy';
export * from './protocol';
export * from './provider';
export * from './running-mode';
export * from './workspace';
export * from './workspace-base';
