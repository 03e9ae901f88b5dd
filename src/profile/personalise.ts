/**
 * A profile made this deployment's own: `{serial}` in any identity string (a point's initial
 * value, the FC 17 additional data, an FC 43 object) becomes the deployment serial, in the shape
 * of the profile's serial. Two sites running one profile never show the same "unique" device.
 */
import { deploymentSerial } from '../gateway/deployment.js';
import type { Profile } from './schema.js';

export function personalise(profile: Profile, seed: Buffer): Profile {
  const serial = deploymentSerial(seed, profile.identity.serial);
  const fill = (text: string) => text.replaceAll('{serial}', serial);
  const modbus = profile.modbus && {
    ...profile.modbus,
    serverId: profile.modbus.serverId && { ...profile.modbus.serverId, additional: fill(profile.modbus.serverId.additional) },
    deviceIdentification: profile.modbus.deviceIdentification && {
      ...profile.modbus.deviceIdentification,
      objects: Object.fromEntries(Object.entries(profile.modbus.deviceIdentification.objects).map(([k, v]) => [k, fill(v)])),
    },
  };
  return {
    ...profile,
    identity: { ...profile.identity, serial },
    modbus,
    points: profile.points.map((p) => (typeof p.initial === 'string' ? { ...p, initial: fill(p.initial) } : p)),
  };
}
