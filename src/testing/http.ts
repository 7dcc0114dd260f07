/** Small HTTP helpers for tests that read the gateway's admin and log endpoints. */

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function getJson(url: string, init?: RequestInit): Promise<any> {
  const response = await fetch(url, init);
  return response.json();
}
