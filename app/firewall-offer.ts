// The first start on Windows: unless Windows Firewall already lets students
// reach Lanboard, offer once to add the rule (an administrator prompt), before
// the hub first listens on the network, so that Windows' own "blocked some
// features" prompt does not come up instead. A per-user install has no other
// way to get the rule; an all-users install has it from the installer and is
// not asked. Refused or failed, the dashboard's Overview keeps offering it.
import type { Dialog } from 'electron';
import type { Logger } from '../server/index';
import type { StateFile } from './app-state';
import type { CommandRunner } from './commands';
import { allowThroughFirewall, networkStatus } from './windows-network';

export interface OfferOptions {
  run: CommandRunner;
  exe: string;
  dialog: Pick<Dialog, 'showMessageBox'>;
  state: StateFile;
  log: Logger;
}

export async function offerFirewallRule(o: OfferOptions): Promise<void> {
  if (o.state.read().firewallOffered) return;
  const status = await networkStatus(o.run, o.exe);
  o.log.info(
    { firewall: status.firewall, publicNetworks: status.publicNetworks },
    'Windows Firewall',
  );
  // Unreadable: asking blind could add a rule IT manages otherwise.
  if (status.firewall === 'allowed' || status.firewall === 'unknown') {
    o.state.update({ firewallOffered: true });
    return;
  }
  const { response } = await o.dialog.showMessageBox({
    type: 'question',
    title: 'Lanboard',
    message: "Let students' devices connect to Lanboard?",
    detail:
      (status.firewall === 'blocked'
        ? 'Windows Firewall blocks Lanboard.'
        : 'Windows Firewall does not let other devices reach Lanboard yet.') +
      ' Allowing it on private networks (school, home) needs an administrator, once. Public networks, such as a café’s, stay closed.\n\nYou can do this later from the dashboard’s Overview.',
    buttons: ['Allow…', 'Not now'],
    defaultId: 0,
    cancelId: 1,
  });
  o.state.update({ firewallOffered: true });
  if (response !== 0) return void o.log.info('the firewall rule was not added (Not now)');
  const result = await allowThroughFirewall(o.run, o.exe);
  o.log[result.ok ? 'info' : 'warn'](result.message);
  if (!result.ok)
    await o.dialog.showMessageBox({
      type: 'warning',
      title: 'Lanboard',
      message: result.message,
      detail:
        'Students cannot connect until Windows Firewall allows Lanboard. Try again from the dashboard’s Overview, or ask IT to allow Lanboard.exe on private networks.',
      buttons: ['OK'],
    });
}
