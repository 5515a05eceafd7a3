/**
 * Name of the agent's state file in its state directory. The server's local-agent supervisor
 * imports it from here (`@quarry/agent/state-file`) rather than from the package's index, which
 * would bring the agent's code into the server's bundle.
 */
export const STATE_FILE = 'agent.json';
