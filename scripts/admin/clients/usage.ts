/** The `clients` part of `npm run admin -- --help` (scripts/admin/args.ts prints it in USAGE). */
export const CLIENTS_USAGE = `Service clients (machines: cron jobs, CI, agents; docs/clients.md):
  clients create NAME --audience AUD [--audience AUD2] [--role ROLE]...
                                           a client that may get tokens for AUD (TOKEN_AUDIENCES); prints its
                                           secret once, and the curl line that gets a token
  clients list
  clients show ID                          the client and its last 20 events
  clients rotate ID [--overlap 1h]         a new secret; the old one stays valid for the overlap (s, m, h, d;
                                           default 0: refused now, with the tokens it got)
  clients revoke ID                        refuse the client now, and its tokens within seconds`;
