export { workspaceIsComplete } from './is-complete';
export { workspaceOnEvent } from './on-event';
