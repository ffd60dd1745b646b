import referenceAdapter from '../adapters/reference.ts';
import { conformanceSuite } from '../conformance/vitest.ts';

// The Vitest entry point, used exactly as an implementer would: one call, a test per requirement.
conformanceSuite(referenceAdapter, { runs: 30 });
