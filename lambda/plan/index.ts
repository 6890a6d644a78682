export * from './delete';
export * from './messages';
export * from './reconcile';
export * from './states';
export * from './steps';
export * from './migration';
