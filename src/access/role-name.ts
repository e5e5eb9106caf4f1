/**
 * Role names: what APP_ACCESS and GROUP_ROLES may name and `npm run admin -- roles grant` accepts
 * (scripts/admin/values.ts imports this file as is: no imports here). One rule, so every role a
 * setting names can be granted.
 */
export const ROLE_NAME = /^[a-z][a-z0-9_.:-]{0,63}$/;
