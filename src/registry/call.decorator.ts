import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { CALL_RECORD, type RequestWithAccess } from '../access/call-record.js';

/** The record of this registry call, admitted by the access gate (RegistryAccessInterceptor). */
export const Call = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<RequestWithAccess>();
  const call = request[CALL_RECORD];
  if (!call?.access) throw new Error('@Call() used on a route without RegistryAccessInterceptor');
  return call;
});
