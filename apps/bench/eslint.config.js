import { config } from '@parley/eslint-config';

export default config(import.meta.dirname);
