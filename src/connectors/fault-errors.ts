import { DomainError, RateLimitedError } from '../common/domain-error.js';
import { FAULT_CATALOG, type FaultKind, type FaultSpec } from './fault-kinds.js';

/**
 * A connector that is switched off (`connector_disabled`) or in maintenance (`connector_maintenance`): the registry
 * is not reachable for that service. A 503, so the problem filter adds Retry-After as for an outage; not audited,
 * since nothing was read (the journal keeps the call).
 */
export class ConnectorUnavailableError extends DomainError {
  readonly code: 'connector_disabled' | 'connector_maintenance';
  readonly status = 503;
  readonly title = 'The connector of this service is not available';

  constructor(code: 'connector_disabled' | 'connector_maintenance', message: string) {
    super(message);
    this.code = code;
  }
}

/**
 * A simulated failure, as an in-process caller meets it and as the HTTP problem it is answered with. The codes of
 * the answered kinds are those of the real failures (`service_unavailable`, `rate_limited`, `internal_error`), so a
 * client handles both alike; `X-Sandbox-Fault-Applied` and the journal's `faultKind` tell them apart.
 */
export class InjectedFaultError extends DomainError {
  readonly code: string;
  readonly status: number;
  readonly title: string;
  /** Worth a retry (every failure kind is: each stands for a passing trouble of the registry or the network). */
  readonly transient = true;

  constructor(
    readonly fault: FaultSpec,
    code: string,
    status: number,
    title: string,
  ) {
    super(`Simulated fault ${fault.kind} (sandbox): see X-Sandbox-Fault-Applied and GET /sandbox/fault-kinds.`);
    this.code = code;
    this.status = status;
    this.title = title;
  }
}

/** An injected 429: a RateLimitedError, so the answer carries `Retry-After: retryAfterSeconds`. */
export class InjectedRateLimitError extends RateLimitedError {
  readonly transient = true;

  constructor(readonly fault: FaultSpec) {
    super('rate_limited', 'Simulated fault rate_limited (sandbox): see X-Sandbox-Fault-Applied and GET /sandbox/fault-kinds.', fault.params.retryAfterSeconds);
  }
}

/**
 * The error a failing kind stands for. The status of the kinds that answer nothing over HTTP (timeout, reset, and
 * malformed, whose body cannot be read) is the one an in-process caller's failure mapping needs: 504, 502 and 502,
 * all transient. A slow body is no failure.
 */
export function injectedError(fault: FaultSpec): InjectedFaultError | InjectedRateLimitError {
  const byKind: Record<Exclude<FaultKind, 'rate_limited' | 'slow_body'>, [number, string]> = {
    unavailable: [503, 'A backing service is unavailable'],
    server_error: [500, 'Internal error'],
    timeout: [504, 'The registry did not answer in time'],
    reset: [502, 'The connection to the registry was reset'],
    malformed: [502, 'The registry answer could not be read'],
  };
  if (fault.kind === 'rate_limited') return new InjectedRateLimitError(fault);
  if (fault.kind === 'slow_body') throw new Error('injectedError: a slow body is not a failure');
  const [status, title] = byKind[fault.kind];
  return new InjectedFaultError(fault, FAULT_CATALOG[fault.kind].inProcess.errorCode!, status, title);
}
