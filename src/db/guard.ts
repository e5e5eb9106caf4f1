import { serviceUnavailable } from '../errors';

/** Runs a D1 operation; any failure becomes `503 service_unavailable`, never a 500. */
export async function guardDb<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (cause) {
    throw serviceUnavailable(cause);
  }
}
