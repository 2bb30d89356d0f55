import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ACCESS_CONTEXT, type RequestWithAccess } from '../access/access-context.js';

/** The AccessContext that RegistryAccessInterceptor established for this request. */
export const Access = createParamDecorator((_: unknown, context: ExecutionContext) => {
  const request = context.switchToHttp().getRequest<RequestWithAccess>();
  const access = request[ACCESS_CONTEXT];
  if (!access) throw new Error('@Access() used on a route without RegistryAccessInterceptor');
  return access;
});
