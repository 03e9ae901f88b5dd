export * from './constants.js';
export * from './mbap.js';
export * from './request.js';
export * from './decode.js';
export * from './bits.js';
export * from './registers.js';
export * from './identification.js';
export * from './diagnostics.js';
export { encodeException } from './validate.js';
