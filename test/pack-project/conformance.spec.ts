import { conformanceSuite } from 'imflow/vitest';
import adapter from './adapter.ts';

conformanceSuite(adapter, { runs: 20 });
