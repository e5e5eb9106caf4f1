/**
 * Which app a user may reach: APP_ACCESS maps an origin (a redirect target)
 * or an audience (POST /auth/token) to the roles it requires, any one of them.
 * What is not listed is open to every signed-in user.
 */
export type AppAccess = ReadonlyMap<string, readonly string[]>;

/** May a user holding `roles` reach `key` (an origin or an audience)? */
export function mayReach(appAccess: AppAccess, key: string, roles: readonly string[]): boolean {
  const required = appAccess.get(key);
  return required === undefined || required.some((role) => roles.includes(role));
}

/**
 * Where a browser goes after signing in: `target` (already allowed by the
 * redirect policy) unless its origin requires a role the user lacks; then APP_URL.
 */
export function landingFor(
  target: string,
  roles: readonly string[],
  config: { appAccess: AppAccess; appUrl: string },
): string {
  let origin: string;
  try {
    origin = new URL(target).origin;
  } catch {
    return config.appUrl;
  }
  return mayReach(config.appAccess, origin, roles) ? target : config.appUrl;
}
