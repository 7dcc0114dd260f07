/**
 * IP addresses. IPv4 as four decimal octets (0-255, no leading zeros), not part of a longer
 * dotted number (an OID, `1.3.6.1.4.1`), not a network in CIDR form (`10.0.0.0/8` names a
 * range, not a host) and not right after a version word (`version 1.2.3.4`, `v10.0.0.1`). IPv6 as candidates of hex groups and colons that `node:net` accepts, with a
 * `::` or all eight groups and at least one decimal digit, so `12:30:45`, MAC addresses and
 * `std::vector` are not addresses.
 */
import { isIPv6 } from 'node:net';
import type { PiiDetector, PiiMatch } from '../entities.js';
import { matchesOf, textBefore } from './boundaries.js';

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`(?<![\\w.])${OCTET}(?:\\.${OCTET}){3}(?![\\w]|\\.\\d|/\\d)`, 'g');
const IPV6 = /(?<![\w:.])(?:[0-9A-Fa-f]{1,4}|:)?(?::[0-9A-Fa-f]{0,4}){1,7}(?:(?<=:)\d{1,3}(?:\.\d{1,3}){3})?(?![\w:.])/g;
const VERSION_WORD = /(?:\bv|\bversion|\bver\.?|\brelease|\bbuild|\bfirmware|\bupgrade to|\bupdate to|\bsdk|\bapi)\s*[=:]?\s*$/;

export const ipAddressDetector: PiiDetector = {
  entity: 'ip_address',
  detect(text: string): PiiMatch[] {
    const matches: PiiMatch[] = [];
    if (text.includes('.')) {
      for (const match of matchesOf(IPV4, text)) {
        if (VERSION_WORD.test(textBefore(text, match.index, 16))) continue;
        matches.push({ entity: 'ip_address', start: match.index, end: match.index + match[0].length, value: match[0] });
      }
    }
    if (text.includes(':')) {
      for (const match of matchesOf(IPV6, text)) {
        const value = match[0];
        if (!(value.includes('::') || value.split(':').length === 8) || !/\d/.test(value) || !isIPv6(value)) continue;
        matches.push({ entity: 'ip_address', start: match.index, end: match.index + value.length, value });
      }
    }
    return matches;
  },
};
