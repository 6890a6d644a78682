export { onEvent as handler } from './index';
