import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Jest globalSetup of the e2e project: names this run's record of answers (see openapi-conformance.ts, whose
 * RECORD_FILE_VARIABLE this repeats: Jest loads global hooks outside its module system, where `.js` imports of
 * TypeScript files do not resolve).
 */
export default function setUp(): void {
  process.env.POPGATE_OPENAPI_RECORD = join(tmpdir(), `popgate-openapi-answers-${process.pid}-${Date.now()}.jsonl`);
}
