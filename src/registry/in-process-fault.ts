import { PlannedFault } from '../connectors/http-faults.js';
import type { PipelineFault } from './call-pipeline.service.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A fault as an in-process caller meets it: the documented equivalent of each wire behaviour (GET
 * /sandbox/fault-kinds), a typed failure after the same delay. Before the registry answers (unavailable,
 * rate_limited, server_error, timeout, reset) the call fails after its delay; after the answer, the value comes late
 * (latency, slow_body) or not at all (malformed: the failure the plan names).
 */
export class InProcessFault extends PlannedFault implements PipelineFault {
  async fail(): Promise<never> {
    await sleep(this.plan.delayMs);
    throw this.plan.failure!.error;
  }

  async answer(value: unknown): Promise<unknown> {
    await sleep(this.plan.delayMs);
    if (this.plan.failure) throw this.plan.failure.error;
    return value;
  }
}
