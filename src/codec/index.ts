export { RespDecoder, RESP_DECODER_DEFAULTS, type RespDecoderOptions } from './resp-decoder.js';
export { encodeCommand, formatCommand, type CommandArg, type JsonArg } from './command-encoder.js';
export { encodeFrame } from './reply-encoder.js';
export { passwordHash } from './password-hash.js';
export {
  parseErrorText,
  type Frame,
  type SimpleStringFrame,
  type BulkStringFrame,
  type NullFrame,
  type ErrorFrame,
} from './frame.js';
