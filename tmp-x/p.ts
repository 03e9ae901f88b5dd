import { loadProfile } from '../src/profile/load.ts';
const p = loadProfile('water-lift-station'); console.log(p.opcua?.methods.length, p.opcua?.anonymous);
