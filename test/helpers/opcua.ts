/** An OPC UA client session against a decoy, closed whatever the callback does. */
import { MessageSecurityMode, OPCUAClient, SecurityPolicy, UserTokenType, type ClientSession } from 'node-opcua';

export interface SessionOptions {
  applicationName?: string;
  security?: { policy: SecurityPolicy; mode: MessageSecurityMode };
  user?: { userName: string; password: string };
}

export async function withOpcuaSession<T>(url: string, fn: (session: ClientSession) => Promise<T>, options: SessionOptions = {}): Promise<T> {
  const security = options.security ?? { policy: SecurityPolicy.None, mode: MessageSecurityMode.None };
  const client = OPCUAClient.create({ applicationName: options.applicationName ?? 'ProbeClient', endpointMustExist: false, securityPolicy: security.policy, securityMode: security.mode, connectionStrategy: { maxRetry: 0 } });
  await client.connect(url);
  try {
    const session = await client.createSession(options.user ? { type: UserTokenType.UserName, ...options.user } : undefined);
    try {
      return await fn(session);
    } finally {
      await session.close();
    }
  } finally {
    await client.disconnect();
  }
}
