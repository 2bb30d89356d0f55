import { countersOf, faultProfileSchema, toFaultProfile, type FaultProfile, type FaultProfileDocument } from './fault-profile.js';

/** Who set the profile that decided a call's fault (or that the fault came from the call's own X-Sandbox-Fault). */
export type FaultSource = 'header' | 'session' | 'consumer' | 'connector';

/** A stored profile ready for decisions, held in memory (no I/O to find it on a call). */
export interface ActiveProfile {
  source: Exclude<FaultSource, 'header'>;
  /** Names the profile's counters in Redis: a new one for every write, so a rewritten profile counts from 1 again. */
  version: string;
  /** The service part of the decision's scope: the service code, or `*` for all of an owner's services. */
  scope: string;
  profile: FaultProfile;
  counters: { sequence: boolean; attempts: boolean };
}

/** Builds the active form of a stored profile document (valid when stored: it is parsed again here). */
export function activeProfile(source: ActiveProfile['source'], version: string, serviceCode: string | null, document: FaultProfileDocument): ActiveProfile {
  const profile = toFaultProfile(faultProfileSchema.parse(document));
  return { source, version, scope: serviceCode ?? '*', profile, counters: countersOf(profile) };
}
