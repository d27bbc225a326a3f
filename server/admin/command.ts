// `lanboard admin-url`: the dashboard's address with its token, for school IT
// on the hub's computer (over SSH, say). It reads the settings `lanboard serve`
// would read with the same options, and the token file the hub keeps (creating
// it if the hub never ran, so that the hub will use the same one).
import { serveSources } from '../config/flags';
import { ConfigError, loadConfig } from '../config/load';
import { createLogger } from '../log/logger';
import { adminTokenFile, adminTokenSource, dashboardAddress } from './hub-admin';

export const ADMIN_URL_USAGE = `Usage: lanboard admin-url [options]

Prints the dashboard's address on this computer with its token, for a browser
here or through an SSH tunnel (ssh -L 3000:127.0.0.1:3000 <hub>). Give it the
options you give \`lanboard serve\` (--config, --data-dir, --port, --host).
The address holds the token: do not paste it where others can read it.

Options: those of \`lanboard serve\` (\`lanboard serve --help\`), and
  -h, --help    this text`;

export async function adminUrlCommand(args: string[]): Promise<void> {
  const loaded = loadConfig(serveSources(args, process.env));
  const { config } = loaded;
  if (config.ServerPort === 0) {
    throw new ConfigError(
      'ServerPort is 0 (a free port at each start): open the address `lanboard serve` printed',
    );
  }
  if (!config.AdminToken && !adminTokenFile(config)) {
    throw new ConfigError(
      'Database=memory keeps the token in the hub process only: open the address `lanboard serve` printed',
    );
  }
  const log = createLogger({ level: 'warn', destination: process.stderr });
  const token = adminTokenSource(config, log)();
  const address = config.ServerBindAddress;
  const family = address.includes(':') ? 'IPv6' : 'IPv4';
  const url = dashboardAddress(config, { address, family, port: config.ServerPort }, token);
  process.stdout.write(`${url}\n`);
}
