// @ts-check
/**
 * The operator console's words in English: the reference table. admin-es.js, admin-pt.js and
 * admin-fr.js hold the same keys (tsc checks that none is missing) and only the chosen one is loaded.
 * `{name}` is filled in by admin.js; `one|other` pairs are picked with Intl.PluralRules.
 *
 * @typedef {typeof EN} ConsoleText
 * @typedef {keyof ConsoleText} TextKey
 */
export const EN = {
  title: 'Portico console', language: 'Language', consoleNav: 'Console',
  dashboard: 'Dashboard', batch: 'New batch', vouchers: 'Vouchers', plans: 'Plans', sales: 'Sales', operators: 'Operators', audit: 'Audit log', settings: 'Settings', account: 'Account',
  name: 'Name', password: 'Password', signIn: 'Sign in', admin: 'admin', seller: 'seller',
  unused: 'unused', active: 'active', exhausted: 'used up', expired: 'expired', revoked: 'revoked', throttled: 'slowed down',
  devicesOnline: 'Devices online', throughput: 'Throughput', todayTraffic: "Today's traffic", gateway: 'Gateway', unusedVouchers: 'Unused vouchers',
  onlineNow: 'Online now', pool: 'Pool', status: 'Status', timeLeft: 'Time left', dataLeft: 'Data left', down: 'Down', up: 'Up', devices: 'Devices',
  latestEvents: 'Latest events', gwOk: 'OK', gwDown: 'Down: {detail}', nobodyOnline: 'Nobody is online.',
  createdN: 'Created {n} voucher: {words}.|Created {n} vouchers: {words}.', batchTitle: 'Batch {note}', createVouchers: 'Create vouchers', plan: 'Plan',
  customBelow: 'Custom (below)', howMany: 'How many', priceEach: 'Price each', fromPlan: 'from the plan', note: 'Note', notePh: 'e.g. market stall',
  customLimits: 'Custom limits (override the plan)', createBatch: 'Create batch', batches: 'Batches', created: 'Created', count: 'Count', price: 'Price',
  print: 'Print {layout}', letter: 'Letter',
  search: 'Search', searchPh: 'code or note', any: 'any', filter: 'Filter', exportCsv: 'Export CSV', revoke: 'Revoke', reasonFor: 'Reason for revoking {code}',
  reasonPh: 'reason', confirmRevoke: 'Confirm revoke', isRevoked: '{code} is revoked.', vouchersN: '{n} voucher|{n} vouchers', showing: ' (showing {n})',
  code: 'Code', firstUsed: 'First used',
  addPlan: 'Add or change a plan', savePlan: 'Save plan', planSaved: 'Plan {name} saved.', inWords: 'In words', archive: 'Archive',
  vouchersIssued: 'Vouchers issued', amount: 'Amount', perSeller: 'Per seller', perDay: 'Per day', day: 'Day', commandLine: '(command line)',
  sellerCol: 'Seller', role: 'Role', state: 'State', added: 'Added', opActive: 'active', opDisabled: 'disabled', you: 'you', makeSeller: 'Make seller', makeAdmin: 'Make admin',
  enable: 'Enable', disable: 'Disable', nowSeller: '{name} is now a seller.', nowAdmin: '{name} is now an admin.', isEnabled: '{name} is enabled.',
  isDisabled: '{name} is disabled.', opAdded: '{name} added.', addOperator: 'Add an operator', sellerOpt: 'seller (creates and prints vouchers)',
  adminOpt: 'admin (everything)', passwordMin: 'Password (8+ characters)', addOperatorBtn: 'Add operator',
  type: 'Type', typePh: 'e.g. voucher.* or operator.login', time: 'Time', event: 'Event', actor: 'Actor', subject: 'Subject', details: 'Details', older: 'Older',
  networkName: 'Network name', ssid: 'Wi-Fi name (SSID, for the join QR on printed sheets)', residentLangs: 'Languages offered to residents',
  welcome: 'Welcome text on the sign-in page', garden: 'Walled garden: hosts or addresses reachable before sign-in (one per line)',
  saveSettings: 'Save settings', settingsSaved: 'Settings saved.',
  termsText: 'Terms of use (residents must tick "I accept"; empty: none)', noticeText: 'Notice on the portal and the network page (e.g. "outage tonight 22:00–23:00")',
  forAllLangs: 'All languages', forLang: '{lang} (instead)',
  changeMine: 'Change my password', currentPw: 'Current password', newPw: 'New password (8+ characters)', changePw: 'Change password',
  pwChanged: 'Password changed.', signOut: 'Sign out',
  limTime: 'Time (from first use)', limTimePh: 'e.g. 1h, 1d, 30d', limData: 'Data', limDataPh: 'e.g. 500MB, 2GB', limDown: 'Download speed',
  limUp: 'Upload speed', limSpeedPh: 'e.g. 4Mbit', limUpPh: 'e.g. 1Mbit', onExhausted: 'When data runs out', planDefault: '(plan default)', block: 'block',
  slowDown: 'slow down', renew: 'Renew data', never: 'never', daily: 'daily', weekly: 'weekly', monthly: 'monthly',
  errLogin: 'Wrong name or password.', errSession: 'Your session has ended. Please sign in again.', errRole: 'Your role does not allow this.',
  errCsrf: 'The console is out of date. Reload the page.', errCurrentPw: 'The current password is wrong.', errRevoked: 'This voucher is already revoked.',
  errOpExists: 'There is already an operator with this name.', errSelf: 'You cannot disable yourself or give up your own admin role.',
  errNotFound: 'Not found. It may have been removed: reload the page.', errGateway: 'The network gateway is not answering. Try again in a minute.',
  errStorage: 'Could not save. Nothing was changed: try again.', errWait: 'Too many attempts. Wait {s} seconds and try again.',
  errSignInWait: 'Too many sign-in attempts. Wait {s} seconds and try again.',
  errCount: 'How many: a whole number from 1 to 10,000.', errPrice: 'Price: a number, zero or more, like 2 or 2.50.',
  errDevices: 'Devices: a whole number, 1 or more.', errDuration: 'Time: a number and a unit, like 90m, 1h, 2d or 4w.',
  errData: 'Data: a number and a unit, like 500MB or 2GB.', errSpeed: 'Speed: a number and a unit, from 8kbit to 100Gbit, like 512kbit or 4Mbit.',
  errNote: 'The note can have at most 200 characters.', errReason: 'The reason can have at most 200 characters.', errPassword: 'The password needs 8 to 200 characters.',
  errOpName: 'Operator name: 2 to 40 letters, digits or _ . - @ (no spaces).', errPlanName: 'Plan name: 1 to 40 letters, digits, spaces or - _ .',
  errNoPlan: 'That plan does not exist any more. Reload the page.', errNetName: 'The network name needs 1 to 80 characters.',
  errSsid: 'The Wi-Fi name can have at most 32 characters.', errWelcome: 'The welcome text can have at most 500 characters.',
  errLangs: 'Choose at least one language for residents.', errGarden: 'Walled garden: up to 200 host names, addresses or networks (like 10.0.0.0/8).',
  edit: 'Edit', menu: 'Menu', printTitle: 'Print: {layout}', sheetFrame: 'Voucher sheet',
  archiveQ: 'Archive {name}? It leaves this list and the New batch form; vouchers already made keep working.', confirmArchive: 'Confirm archive', cancel: 'Cancel', planArchived: 'Plan {name} archived.',
  errOther: 'Something went wrong. Try again.',
};
