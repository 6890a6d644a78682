export { isComplete as handler } from './index';
