export {
  createScriptedClient,
  serverError,
  type ScriptedClient,
  type ScriptedClientOptions,
  type ScriptedCall,
  type ScriptedCommand,
} from './scripted-client.js';
